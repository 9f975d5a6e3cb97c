/**
 * Squawk-style cases: for each of the Squawk rules Slipway also covers, its bad and good example
 * rewritten for a shared base migration, many of them as several migrations in sequence (what an
 * earlier file did must be known to the later one). See "Slipway's rules and Squawk's" in the README.
 */
import { baseMigration } from './base.js';
import { columnSequences } from './columns.js';
import { constraintSequences } from './constraints.js';
import { hygieneSequences } from './hygiene.js';
import { indexSequences } from './indexes.js';
import type { SequenceCase } from './sequence.js';
import { tableSequences } from './tables.js';

export { baseMigration };
export type { SequenceCase, SequenceFile } from './sequence.js';

/** Every sequence case, grouped by concept. */
export const squawkSequences: readonly SequenceCase[] = [
  ...columnSequences,
  ...constraintSequences,
  ...indexSequences,
  ...tableSequences,
  ...hygieneSequences,
];
