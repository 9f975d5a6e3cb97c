import type { EnvironmentConfig } from '../config/model.js';
import { windowClosesAt } from '../engine/pipeline/windows.js';
import { formatDuration } from '../shared/duration.js';
import type { Db } from '../store/db.js';
import { appendEvent } from '../store/repos/events.js';
import { markWaiting, type ScheduledDeployment } from '../store/repos/scheduled-deployments.js';
import { describeScheduled } from './schedule.js';

/**
 * How long a scheduled deployment waits behind a running deployment of its service when its environment has no
 * deployment windows (SchedulerOptions.maxWaitMs): long enough for an ordinary rollout and its analysis to end, short
 * enough that a release announced for a maintenance slot does not go out hours later.
 */
export const defaultMaxWaitMs = 60 * 60_000;

/**
 * When a scheduled deployment that begins to wait at `since` gives up: when the deployment window it is in closes
 * (the engine would refuse it after that anyway), else `maxWaitMs` later.
 */
export function waitLimit(environment: Pick<EnvironmentConfig, 'windows'> | undefined, since: Date, maxWaitMs: number) {
  const closes = environment?.windows?.length ? windowClosesAt(environment.windows, since) : undefined;
  return closes ?? new Date(since.getTime() + maxWaitMs);
}

/**
 * Record that `s` waits behind deployment `blocking` and its `deployment.schedule.waiting` event, in one transaction;
 * once per deployment it waits behind, however many schedulers look (markWaiting). The event carries the blocking
 * deployment's id, so its timeline (and an incident's that links it) shows who waits behind it.
 */
export async function recordWait(db: Db, s: ScheduledDeployment, blocking: string, now: Date, until: Date) {
  await db.transaction(async (tx) => {
    if (!(await markWaiting(tx, s.id, { behind: blocking, since: now, until }))) return;
    await appendEvent(tx, {
      project: s.project,
      service: s.service,
      environment: s.environment,
      deploymentId: blocking,
      kind: 'deployment.schedule.waiting',
      message:
        `scheduled deployment ${s.id} of ${s.service} ${s.version} to ${s.environment} waits behind deployment ` +
        `${blocking}, still running; it starts when that one ends, or gives up at ${until.toISOString()}`,
      // noticed: whether its maintenance notice went out, so those told of it hear of the delay (triggers.ts).
      data: { ...describeScheduled(s), blocking, waitUntil: until.toISOString(), noticed: Boolean(s.noticedAt) },
    });
  });
}

/** Why `s` stopped waiting at `until`, naming the deployment it waited behind. */
export function gaveUp(s: ScheduledDeployment, until: Date, now: Date, stillRunning: string | undefined): string {
  const waited = `after waiting ${formatDuration(now.getTime() - (s.waitingSince ?? now).getTime())}`;
  const head = `gave up at ${until.toISOString()} ${waited} behind deployment`;
  if (stillRunning) return `${head} ${stillRunning}, which is still running`;
  // It ended while no coordinator was running to start this one, and the bound passed before one came back.
  return `${head} ${s.waitingBehind}: no coordinator was running when it ended`;
}
