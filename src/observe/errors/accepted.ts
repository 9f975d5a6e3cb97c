import type { Envelope } from './envelope.js';
import { IngestError } from './ingest-error.js';
import { ingestLimits } from './limits.js';
import { readSentryEvent, type SentryEvent } from './sentry-event.js';
import { readSessionAggregates, readSessionUpdate, type SessionTally } from './sessions.js';

/** Everything of one envelope that will be stored, validated whole before any of it is queued. */
export interface Accepted {
  project: string;
  environment: string;
  events: SentryEvent[];
  /** Releases and times (ms) of the transactions it held. */
  transactions: { release: string; at: number }[];
  sessions: SessionTally[];
  /** Bytes of the items kept (what the queue bounds). */
  bytes: number;
  /** Items in the envelope, of any type. */
  items: number;
}

/** Item types read; the rest (attachments, client reports, profiles, replays, check-ins…) is accepted and ignored. */
export const handledItemTypes = ['event', 'transaction', 'session', 'sessions'] as const;

/** Read the items of an envelope for the key's project and environment; any malformed item refuses them all. */
export function acceptEnvelope(target: { project: string; environment: string }, envelope: Envelope): Accepted {
  const accepted: Accepted = {
    ...target,
    events: [],
    transactions: [],
    sessions: [],
    bytes: 0,
    items: envelope.items.length,
  };
  for (const [i, item] of envelope.items.entries()) {
    const where = `item ${i + 1} (${item.type})`;
    try {
      if (item.type === 'event' || item.type === 'transaction') {
        if (item.payload.length > ingestLimits.eventBytes)
          throw new IngestError(413, `larger than ${ingestLimits.eventBytes} bytes`);
        const event = readSentryEvent(item.payload, envelope.header.event_id);
        if (item.type === 'event') accepted.events.push(event);
        else accepted.transactions.push({ release: event.release, at: event.timestamp.getTime() });
        accepted.bytes += item.payload.length;
      } else if (item.type === 'session') accepted.sessions.push(readSessionUpdate(item.payload));
      else if (item.type === 'sessions') accepted.sessions.push(...readSessionAggregates(item.payload));
    } catch (e) {
      if (e instanceof IngestError) throw new IngestError(e.status, `${where}: ${e.message}`, e.retryAfter);
      throw e;
    }
  }
  return accepted;
}

/** The legacy store endpoint: the body is one event. */
export function acceptStoredEvent(target: { project: string; environment: string }, body: Buffer): Accepted {
  if (body.length > ingestLimits.eventBytes) throw new IngestError(413, `event larger than ${ingestLimits.eventBytes}`);
  const event = readSentryEvent(body);
  return { ...target, events: [event], transactions: [], sessions: [], bytes: body.length, items: 1 };
}
