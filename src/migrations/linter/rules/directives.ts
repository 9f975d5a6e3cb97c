/**
 * Findings about `-- slipway:` directives themselves, so a stale or mistyped allow is visible
 * instead of silently covering nothing.
 */
import { defineRule } from '../rule.js';
import type { RuleModule } from './checks.js';

export const unusedAllow = defineRule(
  'unused-allow',
  'safe',
  'An allow directive that covers no finding on the next statement.',
);
export const invalidDirective = defineRule(
  'invalid-directive',
  'safe',
  'A -- slipway: directive that could not be read.',
);

export const directiveRules: RuleModule = { rules: [unusedAllow, invalidDirective] };
