/** The tables a set of migrations names (quoted, distinct), read from their parse trees. */
import { loadParser, parseSql } from '../linter/parse.js';
import { quotedTableName, tablesNamedBy } from '../planner/table-names.js';
import type { Migration } from '../types.js';

export async function touchedTables(migrations: readonly Pick<Migration, 'up'>[]): Promise<string[]> {
  await loadParser();
  const names = new Set<string>();
  for (const m of migrations) {
    const parsed = parseSql(m.up);
    // Preflight refused unparsable migrations before this runs; nothing to name here if one slips by.
    if (!parsed.ok) continue;
    for (const statement of parsed.statements) for (const t of tablesNamedBy(statement)) names.add(quotedTableName(t));
  }
  return [...names];
}
