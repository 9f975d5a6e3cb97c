import type { Db } from '../store/db.js';
import { appendEvent } from '../store/repos/events.js';
import {
  insertScheduled,
  lockSchedules,
  pendingScheduleOf,
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
 * Store a schedule (checked by refuseSchedule) and its `deployment.scheduled` event in one transaction; the same
 * version of the service already pending there is refused (409), naming the schedule to cancel.
 */
export function scheduleDeployment(
  db: Db,
  project: string,
  req: ScheduleRequest & { strategy?: string },
  requestedBy?: string,
): Promise<ScheduledDeployment> {
  return db.transaction(async (tx) => {
    await lockSchedules(tx);
    const pending = await pendingScheduleOf(tx, { project, ...req });
    // The same version twice would send two notices and then fail the second at its time (already deploying it).
    if (pending)
      throw new SlipwayError(
        'conflict',
        `${req.service} ${req.version} is already scheduled for ${req.environment} at ` +
          `${pending.runAt.toISOString()} (${pending.id}); to move it, cancel that one first: ` +
          `slipway scheduled cancel ${pending.id}`,
        { scheduled: pending.id },
      );
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
