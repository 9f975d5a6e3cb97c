import type { Queryable } from '../../store/db.js';
import type { NewEvent } from '../../store/repos/events.js';
import { listSilences, markSilenceExpired, type SilenceRecord } from '../../store/repos/silences.js';
import { formatMatcher } from './matchers.js';
import type { ActiveSilence } from './muting.js';

/** Silences of an environment in force at `now`. */
export async function activeSilences(
  db: Queryable,
  project: string,
  environment: string,
  now: number,
): Promise<ActiveSilence[]> {
  return (await listSilences(db, { project, environment }))
    .filter((s) => s.startsAt.getTime() <= now && s.endsAt.getTime() > now)
    .map((s) => ({ id: s.id, matchers: s.matchers }));
}

/** The `silence.expired` event of a silence that ended (at its end time, or expired by someone). */
export function silenceExpiredEvent(s: SilenceRecord): NewEvent {
  return {
    project: s.project,
    environment: s.environment,
    kind: 'silence.expired',
    message:
      `silence ${s.id} (${s.matchers.map(formatMatcher).join(', ')}) ` +
      (s.expiredBy ? `expired by ${s.expiredBy}` : 'ended'),
    data: {
      id: s.id,
      matchers: s.matchers,
      createdBy: s.createdBy,
      endsAt: s.endsAt.toISOString(),
      ...(s.expiredBy ? { expiredBy: s.expiredBy } : {}),
    },
  };
}

/** Record the end of silences whose time is up (once each) and say so. */
export async function expireEndedSilences(
  db: Queryable,
  events: { emit(event: NewEvent): Promise<unknown> },
  project: string,
  environment: string,
  now: number,
): Promise<void> {
  for (const s of await listSilences(db, { project, environment })) {
    if (s.endsAt.getTime() > now) continue;
    const ended = await markSilenceExpired(db, s.id, s.endsAt);
    if (ended) await events.emit(silenceExpiredEvent(ended));
  }
}
