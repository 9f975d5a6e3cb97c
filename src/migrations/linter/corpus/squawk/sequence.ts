/**
 * The shape of a Squawk-style case: migrations in sequence (0002, 0003, … after the shared base
 * 0001), each with the class and rules expected per statement. squawk-corpus.test.ts writes them
 * to a directory and runs them through `migrate lint` and through `migrate plan`'s preflight,
 * which must agree with each other and with these expectations.
 */
import type { CorpusExpectation } from '../case.js';

export interface SequenceFile {
  sql: string;
  expect: CorpusExpectation[];
}

export interface SequenceCase {
  name: string;
  /** The Squawk rule whose good or bad example the case is modelled on (written anew, not copied). */
  squawk: string;
  /** Up scripts 0002, 0003, … in order. */
  files: SequenceFile[];
  /** Lint as inside a project with `database:` (Slipway's runner sets lock_timeout). Default true. */
  runnerSetsLockTimeout?: boolean;
}

/** One migration file. */
export function file(sql: string, ...expect: CorpusExpectation[]): SequenceFile {
  return { sql, expect };
}
