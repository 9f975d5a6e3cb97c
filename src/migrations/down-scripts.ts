import { lintSql } from './linter/lint.js';
import type { Migration } from './types.js';

/**
 * Would running this migration's down script lose data (drop a column or table that may hold
 * rows)? Such downs never run by themselves and need --allow-data-loss by hand. The parser must
 * be loaded. A migration without a down script loses nothing here: it cannot be rolled back at all.
 */
export function downLosesData(m: Migration): boolean {
  return (
    m.down !== null &&
    lintSql(m.down, m.downPath ?? m.upPath, { lockTimeoutSet: true }).statements.some((s) => s.class === 'data-loss')
  );
}
