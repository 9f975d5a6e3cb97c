import type { Db } from '../store/db.js';
import { appendEvent } from '../store/repos/events.js';
import { claimScheduled, getScheduled, type ScheduledDeployment } from '../store/repos/scheduled-deployments.js';
import { SlipwayError } from '../shared/errors.js';
import { cancelRefusal } from './cancel-refusal.js';
import { describeScheduled } from './schedule.js';

/**
 * Cancel a pending scheduled deployment and record `deployment.schedule.cancelled`, in one transaction. The state
 * moves with the scheduler's own claim (`where state = 'pending'`), so of a cancel and a start racing at its time
 * exactly one wins: a cancelled one never starts, a started one is refused here (409 naming its state).
 */
export function cancelSchedule(
  db: Db,
  id: string,
  by: { name?: string; reason?: string },
): Promise<{ before: ScheduledDeployment; after: ScheduledDeployment }> {
  return db.transaction(async (tx) => {
    const claimed = await claimScheduled(tx, id, 'cancelled', {
      ...(by.name ? { by: by.name } : {}),
      ...(by.reason ? { reason: by.reason } : {}),
    });
    const after = await getScheduled(tx, id);
    if (!after) throw new SlipwayError('not_found', `no scheduled deployment ${id}`);
    if (!claimed) throw new SlipwayError('conflict', await cancelRefusal(tx, after), { state: after.state });
    await appendEvent(tx, {
      project: after.project,
      service: after.service,
      environment: after.environment,
      kind: 'deployment.schedule.cancelled',
      message:
        `scheduled deployment of ${after.service} ${after.version} to ${after.environment} at ` +
        `${after.runAt.toISOString()} cancelled${by.name ? ` by ${by.name}` : ''}${by.reason ? `: ${by.reason}` : ''}`,
      data: {
        ...describeScheduled(after),
        cancelledBy: by.name ?? null,
        ...(by.reason ? { reason: by.reason } : {}),
        // Its maintenance notice went out: the same audience should hear it is off (not sent yet; see the README).
        noticed: Boolean(after.noticedAt),
      },
    });
    return { before: { ...after, state: 'pending' }, after };
  });
}
