/**
 * After each statement, what it changed in the linter's picture of the file: new objects,
 * column types, validated NOT NULL checks, transaction boundaries, lock_timeout, held locks.
 * Runs after the rules, so a statement is never "new" to itself.
 */
import type {
  AlterTableCmd,
  AlterTableStmt,
  ColumnDef,
  Constraint,
  CreateStmt,
  DropStmt,
  Node,
  RangeVar,
  RenameStmt,
  TransactionStmt,
  VariableSetStmt,
} from 'libpg-query';
import type { LintContext, TableRef } from './context.js';
import { blocksWrites, lockStrength } from './locks.js';
import { columnTypeOf, constantText, keyOfNames, namesOf, nodeAs, objectNames, relationKey } from './nodes.js';

/** Records what the current statement (ctx.statement) created, changed or started. */
export function recordEffects(ctx: LintContext): void {
  const { kind, node } = ctx.statement;
  const n = node as never;
  holdLocks(ctx);
  switch (kind) {
    case 'CreateStmt':
      recordCreateTable(ctx, n);
      break;
    case 'CreateTableAsStmt':
      ctx.newRelations.add(relationKey((node as { into?: { rel?: RangeVar } }).into?.rel));
      break;
    case 'SelectStmt': {
      const into = (node as { intoClause?: { rel?: RangeVar } }).intoClause;
      if (into) ctx.newRelations.add(relationKey(into.rel));
      break;
    }
    case 'ViewStmt':
      ctx.newRelations.add(relationKey((node as { view?: RangeVar }).view));
      break;
    case 'CreateSeqStmt':
      ctx.newRelations.add(relationKey((node as { sequence?: RangeVar }).sequence));
      break;
    case 'IndexStmt': {
      const index = node as { idxname?: string; relation?: RangeVar };
      if (index.idxname)
        ctx.newRelations.add(relationKey({ schemaname: index.relation?.schemaname, relname: index.idxname }));
      break;
    }
    case 'CreateSchemaStmt':
      ctx.newSchemas.add((node as { schemaname?: string }).schemaname ?? '?');
      break;
    case 'CreateEnumStmt':
      ctx.newTypes.add(keyOfNames(namesOf((node as { typeName?: Node[] }).typeName)));
      break;
    case 'CreateDomainStmt':
      ctx.newTypes.add(keyOfNames(namesOf((node as { domainname?: Node[] }).domainname)));
      break;
    case 'CompositeTypeStmt':
      ctx.newTypes.add(relationKey((node as { typevar?: RangeVar }).typevar));
      break;
    case 'AlterTableStmt':
      recordAlterTable(ctx, n);
      break;
    case 'RenameStmt':
      recordRename(ctx, n);
      break;
    case 'DropStmt':
      recordDrop(ctx, n);
      break;
    case 'VariableSetStmt':
      recordSet(ctx, n);
      break;
    case 'TransactionStmt':
      recordTransaction(ctx, n);
      break;
  }
}

function recordCreateTable(ctx: LintContext, node: CreateStmt): void {
  const table = relationKey(node.relation);
  ctx.newRelations.add(table);
  const ref: TableRef = { key: table, display: table, isNew: true };
  for (const element of node.tableElts ?? []) {
    const column = nodeAs(element, 'ColumnDef');
    if (column?.colname) {
      ctx.columnTypes.set(`${table}.${column.colname}`, columnTypeOf(column.typeName));
      recordInlineNotNullChecks(ctx, ref, column, true);
    }
    const constraint = nodeAs(element, 'Constraint');
    if (constraint) recordNotNullCheck(ctx, ref, constraint, true);
  }
}

function recordAlterTable(ctx: LintContext, node: AlterTableStmt): void {
  const table = ctx.table(node.relation);
  for (const item of node.cmds ?? []) {
    const cmd = nodeAs(item, 'AlterTableCmd');
    if (cmd) recordAlterCommand(ctx, table, cmd);
  }
}

function recordAlterCommand(ctx: LintContext, table: TableRef, cmd: AlterTableCmd): void {
  switch (cmd.subtype) {
    case 'AT_AddColumn': {
      const column = nodeAs(cmd.def, 'ColumnDef');
      if (!column?.colname) return;
      const key = `${table.key}.${column.colname}`;
      if (!table.isNew) ctx.newColumns.add(key);
      ctx.columnTypes.set(key, columnTypeOf(column.typeName));
      recordInlineNotNullChecks(ctx, table, column);
      return;
    }
    case 'AT_AlterColumnType':
      ctx.columnTypes.set(`${table.key}.${cmd.name}`, columnTypeOf(nodeAs(cmd.def, 'ColumnDef')?.typeName));
      return;
    case 'AT_DropColumn': {
      const column = `${table.key}.${cmd.name}`;
      ctx.columnTypes.delete(column);
      // PostgreSQL drops the column's constraints with it.
      for (const [key, check] of [...ctx.notNullChecks]) if (check.column === column) ctx.notNullChecks.delete(key);
      return;
    }
    case 'AT_AddConstraint': {
      const constraint = nodeAs(cmd.def, 'Constraint');
      if (constraint) recordNotNullCheck(ctx, table, constraint);
      return;
    }
    case 'AT_DropConstraint':
      ctx.notNullChecks.delete(`${table.key}/${cmd.name}`);
      return;
    case 'AT_ValidateConstraint': {
      const check = ctx.notNullChecks.get(`${table.key}/${cmd.name}`);
      if (check) check.validated = true;
      else ctx.validatedElsewhere.set(table.key, [...(ctx.validatedElsewhere.get(table.key) ?? []), cmd.name ?? '']);
      return;
    }
  }
}

function recordInlineNotNullChecks(ctx: LintContext, table: TableRef, column: ColumnDef, created = false): void {
  for (const item of column.constraints ?? []) {
    const constraint = nodeAs(item, 'Constraint');
    if (constraint?.contype === 'CONSTR_CHECK') recordNotNullCheck(ctx, table, constraint, created);
  }
}

/**
 * Remembers `CHECK (col IS NOT NULL)`: validated now, or later by VALIDATE CONSTRAINT. CREATE TABLE
 * (`created`) ignores NOT VALID: the table is empty, so its checks are valid from the start.
 */
function recordNotNullCheck(ctx: LintContext, table: TableRef, constraint: Constraint, created = false): void {
  if (constraint.contype !== 'CONSTR_CHECK') return;
  const test = nodeAs(constraint.raw_expr, 'NullTest');
  if (test?.nulltesttype !== 'IS_NOT_NULL') return;
  const column = namesOf(nodeAs(test.arg, 'ColumnRef')?.fields).pop();
  if (!column) return;
  // An unnamed check gets PostgreSQL's generated name, table_column_check.
  const name = constraint.conname ?? `${table.key.replace(/.*\./, '')}_${column}_check`;
  ctx.notNullChecks.set(`${table.key}/${name}`, {
    column: `${table.key}.${column}`,
    validated: created || !constraint.skip_validation,
  });
}

function recordRename(ctx: LintContext, node: RenameStmt): void {
  const from = relationKey(node.relation);
  const newName = node.newname ?? '?';
  if (node.renameType === 'OBJECT_COLUMN') {
    moveKey(ctx.columnTypes, `${from}.${node.subname}`, `${from}.${newName}`);
    if (ctx.newColumns.delete(`${from}.${node.subname}`)) ctx.newColumns.add(`${from}.${newName}`);
    for (const check of ctx.notNullChecks.values())
      if (check.column === `${from}.${node.subname}`) check.column = `${from}.${newName}`;
    return;
  }
  if (node.renameType === 'OBJECT_TABCONSTRAINT') {
    moveKey(ctx.notNullChecks, `${from}/${node.subname}`, `${from}/${newName}`);
    return;
  }
  if (
    !['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_INDEX', 'OBJECT_SEQUENCE'].includes(
      node.renameType ?? '',
    )
  )
    return;
  const to = relationKey({ schemaname: node.relation?.schemaname, relname: newName });
  if (ctx.newRelations.delete(from)) ctx.newRelations.add(to);
  for (const key of [...ctx.columnTypes.keys()]) {
    if (key.startsWith(`${from}.`)) moveKey(ctx.columnTypes, key, `${to}${key.slice(from.length)}`);
  }
  for (const [key, check] of [...ctx.notNullChecks]) {
    if (!key.startsWith(`${from}/`)) continue;
    check.column = `${to}${check.column.slice(from.length)}`;
    moveKey(ctx.notNullChecks, key, `${to}${key.slice(from.length)}`);
  }
}

function recordDrop(ctx: LintContext, node: DropStmt): void {
  if (node.removeType !== 'OBJECT_TABLE') return;
  for (const object of node.objects ?? []) {
    const table = keyOfNames(objectNames(object));
    ctx.newRelations.delete(table);
    for (const key of [...ctx.columnTypes.keys()]) if (key.startsWith(`${table}.`)) ctx.columnTypes.delete(key);
    for (const key of [...ctx.notNullChecks.keys()]) if (key.startsWith(`${table}/`)) ctx.notNullChecks.delete(key);
  }
}

function recordSet(ctx: LintContext, node: VariableSetStmt): void {
  if (node.name !== 'lock_timeout') return;
  // lock_timeout = 0 switches the timeout off; RESET returns to the server default (off).
  const value = node.kind === 'VAR_SET_VALUE' ? constantText(node.args?.[0]) : undefined;
  const active = value !== undefined && !/^0+\s*(ms|s|min)?$/i.test(value.trim());
  if (node.is_local) ctx.lockTimeoutLocal = active;
  else ctx.lockTimeoutSession = active;
}

function recordTransaction(ctx: LintContext, node: TransactionStmt): void {
  switch (node.kind) {
    case 'TRANS_STMT_BEGIN':
    case 'TRANS_STMT_START':
      if (!ctx.options.wholeFileTransaction) ctx.heldLocks.clear();
      ctx.inTransactionBlock = true;
      return;
    case 'TRANS_STMT_COMMIT':
    case 'TRANS_STMT_ROLLBACK':
    case 'TRANS_STMT_COMMIT_PREPARED':
    case 'TRANS_STMT_ROLLBACK_PREPARED':
    case 'TRANS_STMT_PREPARE':
      ctx.inTransactionBlock = false;
      ctx.lockTimeoutLocal = false;
      ctx.heldLocks.clear();
      return;
  }
}

/** Write-blocking locks on existing relations stay until the transaction ends. */
function holdLocks(ctx: LintContext): void {
  if (!ctx.inTransaction) return;
  for (const lock of ctx.locks) {
    if (!blocksWrites(lock.mode) || ctx.isNewRelation(lock.relation)) continue;
    const held = ctx.heldLocks.get(lock.relation);
    if (held && lockStrength(held.mode) >= lockStrength(lock.mode)) continue;
    ctx.heldLocks.set(lock.relation, {
      relation: lock.display,
      mode: lock.mode,
      line: ctx.statement.line,
      kind: ctx.statement.kind,
    });
  }
}

function moveKey<V>(map: Map<string, V>, from: string, to: string): void {
  const value = map.get(from);
  if (value === undefined) return;
  map.delete(from);
  map.set(to, value);
}
