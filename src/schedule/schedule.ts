import type { Db } from '../store/db.js';
import { appendEvent } from '../store/repos/events.js';
import { insertScheduled, type ScheduledDeployment } from '../store/repos/scheduled-deployments.js';
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
  };
}

/** Store a schedule (checked by refuseSchedule) and its `deployment.scheduled` event in one transaction. */
export function scheduleDeployment(
  db: Db,
  project: string,
  req: ScheduleRequest & { strategy?: string },
  requestedBy?: string,
): Promise<ScheduledDeployment> {
  return db.transaction(async (tx) => {
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
