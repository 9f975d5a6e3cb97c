/**
 * What a shadow dry run found, as data for `migrate plan --json` and as lines for people.
 */
import { describeDifference, type CatalogDifference } from './diff.js';
import { formatStatementError, type StatementError } from './statement-error.js';

/** up: first application; down: its down script; reup: the up again after the downs. */
export type DryRunDirection = 'up' | 'down' | 'reup';

/**
 * error: a statement failed (or the file did not parse).
 * down-mismatch: after the down script the schema is not what it was before the up.
 * reup-mismatch: after up → down → up the schema is not what the first up produced.
 */
export type DryRunProblem = 'error' | 'down-mismatch' | 'reup-mismatch';

export interface DryRunStep {
  /** Migration id, e.g. `0003_add_vessel_flag`. */
  migration: string;
  direction: DryRunDirection;
  ok: boolean;
  durationMs: number;
  problem?: DryRunProblem;
  error?: StatementError;
  /** For a mismatch: expected (schema before the up, or after the first up) → actual, one entry per object. */
  differences?: CatalogDifference[];
  /** For a successful up: what it changed in the schema. */
  changes?: CatalogDifference[];
  /** When an earlier step already left the schema different, and this failure may follow from it. */
  note?: string;
}

export interface DryRunReport {
  ok: boolean;
  /** Versions up to this one were applied as history and not checked. */
  appliedThrough: number;
  steps: DryRunStep[];
  /** Things that are not failures but change what the result means (irreversible migrations, rewrites). */
  notes: string[];
  totalMs: number;
}

/** Lines for one step: `✓ up 0003_add_flag (12 ms)`, then what failed or differs, indented. */
export function describeStep(step: DryRunStep): string[] {
  const head = `${step.ok ? '✓' : '✗'} ${step.direction} ${step.migration} (${Math.round(step.durationMs)} ms)`;
  const lines = [head];
  if (step.error) lines.push(`  ${formatStatementError(step.error)}`);
  if (step.problem === 'down-mismatch')
    lines.push(`  after the down script the schema differs from before ${step.migration}.up.sql:`);
  if (step.problem === 'reup-mismatch')
    lines.push(`  applied again, ${step.migration}.up.sql gives a different schema than the first time:`);
  for (const d of step.differences ?? []) lines.push(`    ${describeDifference(d)}`);
  if (step.note) lines.push(`  (${step.note})`);
  return lines;
}
