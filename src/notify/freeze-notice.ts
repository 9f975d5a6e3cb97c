/**
 * on-freeze-starting: a `freeze.starting` event for each freeze window that starts within
 * `notifications.freezeNotice`, recorded once per environment and start (the events table is the
 * memory, so a restarted coordinator does not announce it again).
 */
import { nextFreeze } from '../engine/pipeline/freeze.js';
import type { Queryable } from '../store/db.js';
import type { NewEvent } from '../store/repos/events.js';
import { listProjects } from '../store/repos/projects.js';

/** Record the freezes about to start; returns how many were announced now. */
export async function announceFreezes(
  db: Queryable,
  emit: (e: NewEvent) => Promise<unknown>,
  now: Date,
): Promise<number> {
  let announced = 0;
  for (const { config } of await listProjects(db)) {
    const notice = config.notifications?.freezeNoticeMs;
    if (!notice) continue;
    for (const environment of config.environments) {
      const next = nextFreeze(environment.freezes, now);
      if (!next || next.startsAt.getTime() - now.getTime() > notice) continue;
      const startsAt = next.startsAt.toISOString();
      const { rowCount } = await db.query(
        `select 1 from events where kind = 'freeze.starting' and project = $1 and environment = $2
           and data ->> 'startsAt' = $3 limit 1`,
        [config.project, environment.name, startsAt],
      );
      if (rowCount > 0) continue;
      await emit({
        project: config.project,
        environment: environment.name,
        kind: 'freeze.starting',
        message: `${environment.name} freezes at ${startsAt} until ${next.endsAt.toISOString()}: ${next.message}`,
        data: { startsAt, endsAt: next.endsAt.toISOString(), freezeMessage: next.message },
      });
      announced++;
    }
  }
  return announced;
}
