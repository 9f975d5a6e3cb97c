/**
 * What an ADD COLUMN (or CREATE TABLE column) declares, read once from its ColumnDef so the
 * column, constraint and hygiene rules do not each walk the constraint list.
 */
import type { ColumnDef, Constraint, Node } from 'libpg-query';
import { type ColumnType, columnTypeOf, nodeAs } from '../nodes.js';

export interface ColumnFacts {
  name: string;
  type: ColumnType;
  notNull: boolean;
  primaryKey: boolean;
  /** The DEFAULT expression, absent when none (or DEFAULT NULL). */
  defaultExpression: Node | undefined;
  identity: boolean;
  storedGenerated: boolean;
  serial: boolean;
  /** Inline CHECK, UNIQUE, PRIMARY KEY, REFERENCES, EXCLUDE constraints. */
  constraints: Constraint[];
}

const serialTypes = new Set(['serial', 'bigserial', 'smallserial']);

// Several rules read the same ADD COLUMN; read its constraints once.
const read = new WeakMap<ColumnDef, ColumnFacts>();

/** Reads a column definition. */
export function columnFacts(column: ColumnDef): ColumnFacts {
  const known = read.get(column);
  if (known) return known;
  const facts: ColumnFacts = {
    name: column.colname ?? '?',
    type: columnTypeOf(column.typeName),
    notNull: column.is_not_null === true,
    primaryKey: false,
    defaultExpression: undefined,
    identity: false,
    storedGenerated: false,
    serial: false,
    constraints: [],
  };
  facts.serial = serialTypes.has(facts.type.name);
  for (const item of column.constraints ?? []) {
    const constraint = nodeAs(item, 'Constraint');
    if (!constraint) continue;
    switch (constraint.contype) {
      case 'CONSTR_NOTNULL':
        facts.notNull = true;
        break;
      case 'CONSTR_DEFAULT':
        if (!nodeAs(constraint.raw_expr, 'A_Const')?.isnull) facts.defaultExpression = constraint.raw_expr;
        break;
      case 'CONSTR_IDENTITY':
        facts.identity = true;
        break;
      case 'CONSTR_GENERATED':
        facts.storedGenerated = true;
        break;
      case 'CONSTR_PRIMARY':
        facts.primaryKey = true;
        facts.constraints.push(constraint);
        break;
      case 'CONSTR_CHECK':
      case 'CONSTR_UNIQUE':
      case 'CONSTR_FOREIGN':
      case 'CONSTR_EXCLUSION':
        facts.constraints.push(constraint);
        break;
    }
  }
  read.set(column, facts);
  return facts;
}
