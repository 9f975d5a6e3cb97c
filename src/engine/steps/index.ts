import type { Step } from '../../strategies/plan.js';
import type { StepContext } from '../context.js';
import { analyze } from './analyze.js';
import { drain } from './drain.js';
import { pause } from './pause.js';
import { keepWarm } from './keep-warm.js';
import { promote, restoreStable } from './promote.js';
import { scale } from './scale.js';
import { setWeights } from './set-weights.js';
import { stop } from './stop.js';
import { waitHealthy } from './wait-healthy.js';
import { contract, migrate, revertMigrations } from './migrate.js';
import { beforeGates, smokeChecks } from './gates.js';

/** Run one step of a plan. Every step is idempotent: running it twice leaves the same state. */
export async function runStep(ctx: StepContext, step: Step): Promise<void> {
  switch (step.kind) {
    case 'scale':
      return scale(ctx, step);
    case 'waitHealthy':
      return waitHealthy(ctx, step);
    case 'setWeights':
      return setWeights(ctx, step);
    case 'drain':
      return drain(ctx, step);
    case 'stop':
      return stop(ctx, step);
    case 'keepWarm':
      return keepWarm(ctx, step);
    case 'promote':
      return promote(ctx);
    case 'restoreStable':
      return restoreStable(ctx);
    case 'analyze':
      return analyze(ctx, step);
    case 'pause':
      return pause(ctx, step);
    case 'migrate':
      return migrate(ctx);
    case 'contract':
      return contract(ctx);
    case 'revertMigrations':
      return revertMigrations(ctx);
    case 'gates':
      return beforeGates(ctx);
    case 'smoke':
      return smokeChecks(ctx);
  }
}
