/**
 * The tables a statement names, read from its parse tree: every RangeVar (FROM, INSERT INTO,
 * ALTER TABLE, CREATE INDEX … ON, REFERENCES …) and the targets of DROP TABLE. Used to report
 * the sizes of the tables a plan touches; names that are not existing tables are dropped later.
 */
import type { ParsedStatement } from '../types.js';

/** A table as the statement names it: schema may be absent (then search_path decides). */
export interface TableName {
  schema: string | null;
  name: string;
}

/** Distinct tables named by the statement. */
export function tablesNamedBy(statement: Pick<ParsedStatement, 'kind' | 'node'>): TableName[] {
  const found = new Map<string, TableName>();
  const add = (schema: string | null, name: string) => found.set(`${schema ?? ''}.${name}`, { schema, name });
  walk(statement.node, (node) => {
    // Fields typed RangeVar are inlined by libpg-query, so recognise the shape, not the wrapper.
    if (typeof node.relname === 'string' && ('inh' in node || 'relpersistence' in node))
      add(typeof node.schemaname === 'string' ? node.schemaname : null, node.relname);
  });
  if (
    statement.kind === 'DropStmt' &&
    (statement.node.removeType === 'OBJECT_TABLE' || statement.node.removeType === 'OBJECT_MATVIEW')
  ) {
    for (const object of (statement.node.objects as unknown[] | undefined) ?? []) {
      const parts = ((object as { List?: { items?: { String?: { sval?: string } }[] } }).List?.items ?? []).map(
        (i) => i.String?.sval ?? '',
      );
      if (parts.length === 1) add(null, parts[0]!);
      else if (parts.length >= 2) add(parts[parts.length - 2]!, parts[parts.length - 1]!);
    }
  }
  return [...found.values()];
}

/** `"schema"."name"` for to_regclass: the parse tree holds names already case-folded. */
export function quotedTableName(table: TableName): string {
  const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;
  return table.schema === null ? quote(table.name) : `${quote(table.schema)}.${quote(table.name)}`;
}

function walk(value: unknown, visit: (node: Record<string, unknown>) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, visit);
  } else if (value !== null && typeof value === 'object') {
    visit(value as Record<string, unknown>);
    for (const child of Object.values(value)) walk(child, visit);
  }
}
