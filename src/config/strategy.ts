import { ConfigError } from './errors.js';
import type { InstanceAmount, StrategyConfig, StrategyType } from './model.js';
import { hint } from './suggest.js';
import { canarySchema } from './canary-schema.js';
import { normalizeCanary } from './normalize-canary.js';
import { parseDuration } from '../shared/duration.js';

/** Every strategy type, in the order documentation and errors list them. */
export const strategyTypes: readonly StrategyType[] = ['blue-green', 'rolling', 'canary'];

/** Defaults per strategy type; also what `--strategy <type>` gives without further settings. */
const defaults: { [T in StrategyType]: Extract<StrategyConfig, { type: T }> } = {
  'blue-green': { type: 'blue-green', keepOldForMs: 5 * 60_000 },
  rolling: {
    type: 'rolling',
    maxSurge: { unit: 'instances', value: 1 },
    maxUnavailable: { unit: 'instances', value: 0 },
  },
  canary: normalizeCanary(canarySchema.parse({ type: 'canary' }), (d) => parseDuration(d)!),
};

/** The strategy of a type with that type's defaults, e.g. for `--strategy rolling`; throws ConfigError for unknown
 * types. */
export function defaultStrategy(type: string): StrategyConfig {
  if (!isStrategyType(type)) {
    throw new ConfigError([{ path: 'strategy', message: `unknown strategy "${type}"${hint(type, strategyTypes)}` }]);
  }
  return structuredClone(defaults[type]);
}

/** Narrow a string to a strategy type. */
export function isStrategyType(type: string): type is StrategyType {
  return (strategyTypes as readonly string[]).includes(type);
}

/**
 * Resolve an amount against the desired instance count. Like Kubernetes, surge rounds up and
 * unavailability rounds down, so "25%" of 2 instances still allows one extra and none missing.
 */
export function instancesOf(amount: InstanceAmount, desired: number, round: 'up' | 'down'): number {
  if (amount.unit === 'instances') return amount.value;
  const exact = (amount.value * desired) / 100;
  return round === 'up' ? Math.ceil(exact) : Math.floor(exact);
}
