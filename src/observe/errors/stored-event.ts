import type { Queryable } from '../../store/db.js';
import { latestIssueEvent } from '../../store/repos/error-issues.js';
import { parseEnvelope } from './envelope.js';

/**
 * A stored event payload: the event's JSON, or the SDK's envelope holding only that event (stored
 * as sent). Any event is one JSON value and no envelope is (it has several lines of JSON values), so
 * the first parse tells them apart.
 */
export function storedEvent(bytes: Buffer): Record<string, unknown> {
  try {
    return JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch {
    const item = parseEnvelope(bytes).items.find((i) => i.type === 'event');
    if (!item) throw new Error('a stored error event holds neither an event nor an envelope with one');
    return JSON.parse(item.payload.toString('utf8')) as Record<string, unknown>;
  }
}

/** The latest event of an issue among the given environments, read (`slipway errors show`, the API). */
export async function latestEventOf(db: Queryable, issueId: string, environments: string[] | '*') {
  const latest = await latestIssueEvent(db, issueId, environments);
  return latest ? { ...latest, payload: storedEvent(latest.payload) } : undefined;
}
