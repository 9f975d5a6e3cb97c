/**
 * The shape of a corpus case: SQL plus, per statement, the class the linter must give it and the
 * rules it must report. corpus.test.ts holds the linter to every case; bench-corpus.ts reuses the
 * SQL as realistic input for the throughput benchmark.
 */
import type { StatementClass } from '../../types.js';
import type { LintOptions } from '../lint.js';

export interface CorpusExpectation {
  class: StatementClass;
  /** The finding that decides the class (or the only one). */
  rule?: string;
  /** Every rule the statement reports, when there is more than `rule`; order does not matter. */
  rules?: string[];
  /** Rule → the reason an allow directive gave; every other finding must not be allowed. */
  allows?: Record<string, string>;
}

export interface CorpusCase {
  name: string;
  sql: string;
  /** One entry per statement, in order. Empty for a parse error or a file without statements. */
  expect: CorpusExpectation[];
  /** Defaults to `{ lockTimeoutSet: true }`, so cases test their own rule, not the lock_timeout one. */
  options?: LintOptions;
  parseError?: { message: string; line: number; col: number };
  /** The real-world migration pattern the case is modelled on. */
  source?: string;
}

/** A statement without findings. */
export function clean(statementClass: StatementClass): CorpusExpectation {
  return { class: statementClass };
}

/** A statement whose class comes from `rule` (plus any `others` it also reports). */
export function finding(rule: string, statementClass: StatementClass, others: string[] = []): CorpusExpectation {
  return others.length ? { class: statementClass, rule, rules: [rule, ...others] } : { class: statementClass, rule };
}

/** A statement whose `rule` finding is covered by an allow directive. */
export function allowed(rule: string, statementClass: StatementClass, because: string): CorpusExpectation {
  return { class: statementClass, rule, allows: { [rule]: because } };
}

/** A statement that only carries warnings (hygiene, directives): its class is its base class. */
export function warned(statementClass: StatementClass, rules: string[]): CorpusExpectation {
  return { class: statementClass, rules };
}
