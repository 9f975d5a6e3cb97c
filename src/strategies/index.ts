import type { StrategyConfig } from '../config/model.js';
import { blueGreen } from './blue-green.js';
import type { Plan } from './plan.js';
import { rolling } from './rolling.js';
import { canary } from './canary.js';
import type { PlanInput } from './strategy.js';

/** The plan for a strategy as configured. */
export function planFor(strategy: StrategyConfig, input: PlanInput): Plan {
  switch (strategy.type) {
    case 'blue-green':
      return blueGreen.plan(input, strategy);
    case 'rolling':
      return rolling.plan(input, strategy);
    case 'canary':
      return canary.plan(input, strategy);
  }
}
