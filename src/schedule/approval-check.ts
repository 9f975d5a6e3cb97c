import type { ProjectConfig } from '../config/model.js';
import { approvalStatus } from '../engine/pipeline/approval-status.js';
import type { Queryable } from '../store/db.js';
import type { ScheduleRequest } from './admission.js';

/**
 * The approvals the environment needs, as they stand at scheduling, in the immediate deploy's words: a warning (the
 * release may well be approved before its time, so it is not refused), so that whoever schedules it knows before its
 * maintenance notice goes out. Counted at `runAt`, when the start checks them: an approval that expires by then does
 * not count. `requestedBy` is who schedules it: their own approval does not count, as for a deploy they start.
 */
export async function checkApprovalsAhead(
  db: Queryable,
  config: ProjectConfig,
  req: Pick<ScheduleRequest, 'service' | 'environment' | 'version' | 'runAt'>,
  requestedBy?: string,
): Promise<string[]> {
  const target = config.environments.find((e) => e.name === req.environment);
  if (!target) return [];
  const status = await approvalStatus(db, config.project, req.service, req.version, target, req.runAt, requestedBy);
  if (!status?.waitsFor) return [];
  const at = req.runAt.toISOString();
  return [
    status.state === 'rejected'
      ? `${status.waitsFor}; as it stands, the scheduled deployment will fail at ${at}`
      : `${status.waitsFor}; unless it is approved by ${at}, the scheduled deployment will fail then`,
  ];
}
