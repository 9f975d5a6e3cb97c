import type { ProjectConfig } from '../config/model.js';
import { promotionWaits } from '../engine/pipeline/promotion.js';
import { formatDuration } from '../shared/duration.js';
import { SlipwayError } from '../shared/errors.js';
import type { Queryable } from '../store/db.js';
import type { ScheduleRequest } from './admission.js';

/**
 * The promotion rules (`requires`, `soak`) as far as they can be judged when the deployment is scheduled. The start
 * checks them again; here a schedule that cannot meet them by its time is refused, with the words the immediate
 * deploy uses, instead of sending a maintenance notice and failing then: a soak that ends after `at`, or a required
 * environment the release has not been through yet with less than the soak left before `at`. One that is not through
 * yet but may be by then is accepted with a warning.
 */
export async function checkPromotionAhead(
  db: Queryable,
  config: ProjectConfig,
  req: Pick<ScheduleRequest, 'service' | 'environment' | 'version' | 'runAt'>,
  now: Date,
): Promise<string[]> {
  const target = config.environments.find((e) => e.name === req.environment);
  if (!target) return [];
  const waits = await promotionWaits(db, config.project, req.service, req.version, target, now);
  const cannot = `${req.service} ${req.version} cannot go to ${req.environment} yet`;
  const at = req.runAt.toISOString();
  const late = waits.filter((w) => w.readyAt && w.readyAt > req.runAt);
  if (late.length > 0) {
    const ready = new Date(Math.max(...late.map((w) => w.readyAt!.getTime()))).toISOString();
    throw new SlipwayError(
      'conflict',
      `${cannot}: ${late.map((w) => w.reason).join('; ')} (ready at ${ready}, after ${at}); schedule it at ${ready} ` +
        'or later',
      { waits: late.map((w) => ({ environment: w.environment, reason: w.reason, readyAt: w.readyAt!.toISOString() })) },
    );
  }
  const notThrough = waits.filter((w) => !w.readyAt);
  if (notThrough.length === 0) return [];
  const reasons = notThrough.map((w) => w.reason).join('; ');
  if (req.runAt.getTime() - now.getTime() < target.soakMs)
    throw new SlipwayError(
      'conflict',
      `${cannot}: ${reasons}, and could not soak there ${formatDuration(target.soakMs)} before ${at}`,
      { waits: notThrough.map((w) => ({ environment: w.environment, reason: w.reason })) },
    );
  return [`${cannot}: ${reasons}; unless it is by ${at}, the scheduled deployment will fail then`];
}
