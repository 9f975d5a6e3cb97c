import type { Db } from '../store/db.js';
import { appendEvent } from '../store/repos/events.js';
import {
  clashingSchedule,
  insertScheduled,
  lockSchedules,
  type ScheduledDeployment,
} from '../store/repos/scheduled-deployments.js';
import { SlipwayError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import type { ScheduleRequest } from './admission.js';

/** What events about a scheduled deployment carry. */
export function describeScheduled(s: ScheduledDeployment): Record<string, unknown> {
  return {
    scheduled: s.id,
    version: s.version,
    runAt: s.runAt.toISOString(),
    notifyBeforeMs: s.notifyBeforeMs,
    requestedBy: s.requestedBy ?? null,
    ...(s.request.emergency ? { emergency: s.request.emergency.reason } : {}),
    ...(s.waitingBehind ? { waitingBehind: s.waitingBehind } : {}),
  };
}

/**
 * Store a schedule (checked by refuseSchedule) and its `deployment.scheduled` event in one transaction; one that
 * clashes with a pending schedule of the service there (the same version, or another at the same time) is refused
 * (409), naming the schedule to cancel.
 */
export function scheduleDeployment(
  db: Db,
  project: string,
  req: ScheduleRequest & { strategy?: string },
  requestedBy?: string,
): Promise<ScheduledDeployment> {
  return db.transaction(async (tx) => {
    // The table lock makes the check and the insert one step: of two clashing requests at once, the second sees the
    // first. (No unique index: a store may hold such pairs from before, and its migration would fail on them.)
    await lockSchedules(tx);
    const pending = await clashingSchedule(tx, { project, ...req });
    if (pending) throw new SlipwayError('conflict', clash(req, pending), { scheduled: pending.id });
    const scheduled = await insertScheduled(tx, {
      id: newId('sch'),
      project,
      service: req.service,
      environment: req.environment,
      version: req.version,
      runAt: req.runAt,
      notifyBeforeMs: req.notifyBeforeMs,
      request: {
        ...(req.strategy ? { strategy: req.strategy } : {}),
        ...(req.emergency ? { emergency: req.emergency } : {}),
      },
      requestedBy,
    });
    await appendEvent(tx, {
      project,
      service: req.service,
      environment: req.environment,
      kind: 'deployment.scheduled',
      message: `${req.service} ${req.version} scheduled for ${req.environment} at ${req.runAt.toISOString()}`,
      data: describeScheduled(scheduled),
    });
    return scheduled;
  });
}

/** Why `req` clashes with the pending schedule `pending`, and how to go on. */
function clash(req: ScheduleRequest, pending: ScheduledDeployment): string {
  const cancel = `slipway scheduled cancel ${pending.id}`;
  const where = `for ${req.environment} at ${pending.runAt.toISOString()} (${pending.id})`;
  // The same version twice would send two notices and then fail the second at its time (already deploying it).
  if (pending.version === req.version)
    return `${req.service} ${req.version} is already scheduled ${where}; to move it, cancel that one first: ${cancel}`;
  // Two versions at one time: two notices, then one of them certainly refused at its start.
  return (
    `${req.service} ${pending.version} is already scheduled ${where}: two deployments of ${req.service} cannot ` +
    `start there at the same time; pick another time (a later one waits for the earlier deployment to end), or ` +
    `cancel that one first: ${cancel}`
  );
}
