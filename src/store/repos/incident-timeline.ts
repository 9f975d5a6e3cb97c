import type { Incident } from '../../model/incident.js';
import type { Queryable } from '../db.js';
import { type EventRecord, toEvent } from './events.js';
import { type VerdictRecord, toVerdict } from './verdicts.js';

/** How far before an incident opened its alert group's state changes still belong to its timeline. */
const alertLookbackMs = 60 * 60 * 1000;

/**
 * The recorded facts an incident's timeline is built from: the events of its deployments, of its
 * alert group and rules (from an hour before it opened until it was resolved), of its error issues,
 * its own events (opened, notes, acknowledged, resolved), the notifications sent (or failed) about
 * any of those, and the verdicts that decided something (fail, inconclusive, or the end of an
 * analysis) with their figures.
 */
export async function timelineFacts(
  db: Queryable,
  i: Incident,
  until: Date,
): Promise<{ events: EventRecord[]; verdicts: VerdictRecord[] }> {
  const deployments = i.links.filter((l) => l.kind === 'deployment').map((l) => l.ref);
  const rules = i.links.filter((l) => l.kind === 'alert').map((l) => l.ref);
  const issues = i.links.filter((l) => l.kind === 'issue').map((l) => l.ref);
  const select = 'select id, project, deployment_id, service, environment, kind, message, data, at from events';
  const { rows } = await db.query(
    `${select}
      where project = $1 and (
        deployment_id = any($2::text[])
        or (kind like 'incident.%' and data->>'incident' = $3)
        or (kind like 'alert.%' and at >= $4 and at < $5::timestamptz + interval '1 millisecond'
            and (coalesce(data->>'group', data->>'groupKey') = $6 or data->>'rule' = any($7::text[])))
        or (kind like 'error.issue.%' and data->>'issue' = any($8::text[]))
      )
      order by at, id limit 2000`,
    [
      i.project,
      deployments,
      i.id,
      new Date(i.openedAt.getTime() - alertLookbackMs),
      until,
      i.alertGroup ?? null,
      rules,
      issues,
    ],
  );
  // (`until` is a JavaScript time, whole milliseconds; an event's time has microseconds: an alert stored in the same
  // millisecond as the resolution, just before it, belongs to the timeline.)
  const base = rows.map(toEvent);
  // Notifications name the event that caused them (data.event); those about a deployment also carry its id.
  const notified = await db.query(
    `${select}
      where project = $1 and kind like 'notification.%' and (deployment_id is null or deployment_id <> all($2::text[]))
        and (data->>'incident' = $3 or data->>'event' = any($4::text[]))
      order by at, id limit 500`,
    [i.project, deployments, i.id, base.map((e) => String(e.id))],
  );
  const events = [...base, ...notified.rows.map(toEvent)].sort(
    (a, b) => a.at.getTime() - b.at.getTime() || a.id - b.id,
  );
  const verdicts = deployments.length
    ? await db.query(
        `select * from verdicts where deployment_id = any($1::text[]) and (outcome <> 'running' or final)
          order by at, id limit 200`,
        [deployments],
      )
    : { rows: [] };
  return { events, verdicts: verdicts.rows.map(toVerdict) };
}
