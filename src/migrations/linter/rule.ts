/**
 * What a rule is (a stable id, a class, a level) and what it reports (a hit: message, safe
 * alternative, lock). lint.ts turns hits into LintFindings with positions and allow directives.
 */
import { blockingClasses, type LockMode, type StatementClass } from '../types.js';

export interface Rule {
  /** Stable kebab-case id, used by `-- slipway: allow ID because …`. */
  id: string;
  class: StatementClass;
  /** Blocking classes are errors; everything else (hygiene, notes) is a warning. */
  level: 'error' | 'warning';
  /** One line for rule listings. */
  summary: string;
}

/** Declares a rule; its level follows from its class. */
export function defineRule(id: string, ruleClass: StatementClass, summary: string): Rule {
  return { id, class: ruleClass, level: blockingClasses.has(ruleClass) ? 'error' : 'warning', summary };
}

/** One thing a rule found in one statement. */
export interface Hit {
  rule: Rule;
  /** Names the object: `column vessels.tonnage …`. */
  message: string;
  safeAlternative: string;
  /** The lock that makes it matter, when it differs from the statement's strongest lock. */
  lock?: LockMode | null;
}
