import { DeploymentScheduler, type SchedulerOptions } from '../../src/schedule/scheduler.js';
import { silentLogger } from '../../src/shared/logging.js';
import type { Harness } from './engine-harness.js';

/** A scheduler on an engine harness: it deploys through the harness's engine, at the time `now()` says. */
export function harnessScheduler(
  h: Harness,
  now: () => number,
  options: Pick<SchedulerOptions, 'maxWaitMs'> = {},
): DeploymentScheduler {
  return new DeploymentScheduler({
    ...options,
    db: h.db,
    logger: silentLogger,
    deploy: (r) => h.engine.deploy({ ...r, strategy: undefined }),
    now,
  });
}
