/**
 * Column changes old releases notice: renames, drops, NOT NULL, and ADD COLUMN forms that
 * rewrite the table (volatile defaults, serial, identity, stored generated columns).
 */
import type { AlterTableCmd, RenameStmt } from 'libpg-query';
import type { LintContext, TableRef } from '../context.js';
import { describeType, functionCalls, nodeAs } from '../nodes.js';
import { defineRule, type Hit } from '../rule.js';
import { firstVolatile, type VolatileCall } from '../volatility.js';
import { type RuleModule, columnName } from './checks.js';
import { columnFacts, type ColumnFacts } from './column-def.js';

export const renameColumn = defineRule(
  'rename-column',
  'breaking',
  'Renaming a column breaks releases that use the old name.',
);
export const dropColumn = defineRule(
  'drop-column',
  'data-loss',
  'Dropping a column loses its data and breaks releases that use it.',
);
export const addColumnNotNullNoDefault = defineRule(
  'add-column-not-null-no-default',
  'breaking',
  'ADD COLUMN … NOT NULL without a default fails on a table with rows and breaks inserts of old releases.',
);
export const addColumnVolatileDefault = defineRule(
  'add-column-volatile-default',
  'locking',
  'A volatile default rewrites the table under ACCESS EXCLUSIVE.',
);
export const addColumnSerial = defineRule(
  'add-column-serial',
  'locking',
  'A serial column on an existing table rewrites it under ACCESS EXCLUSIVE.',
);
export const addColumnIdentity = defineRule(
  'add-column-identity',
  'locking',
  'An identity column on an existing table rewrites it under ACCESS EXCLUSIVE.',
);
export const addColumnStoredGenerated = defineRule(
  'add-column-stored-generated',
  'locking',
  'A stored generated column on an existing table rewrites it under ACCESS EXCLUSIVE.',
);
export const dropNotNull = defineRule(
  'drop-not-null',
  'breaking',
  'Dropping NOT NULL lets newer code write NULLs that old releases do not expect.',
);

function checkRename(node: RenameStmt, ctx: LintContext, hits: Hit[]): void {
  if (node.renameType !== 'OBJECT_COLUMN') return;
  const table = ctx.table(node.relation);
  const from = node.subname ?? '?';
  const to = node.newname ?? '?';
  if (ctx.isNewColumn(table, from)) return;
  hits.push({
    rule: renameColumn,
    message:
      `${columnName(table, from)} is renamed to ${to}: releases still running read and write "${from}" and ` +
      `fail until they are replaced`,
    safeAlternative:
      `Expand/contract instead of renaming in place: 1. expand: add column ${table.display}.${to}, write both ` +
      `columns (trigger or application) ` +
      `and backfill ${to} from ${from} in batches; 2. deploy a release that reads and writes only ${to}; ` +
      `3. contract: drop ${from} once no live release reads it.`,
  });
}

function checkDropColumn(cmd: AlterTableCmd, table: TableRef, ctx: LintContext, hits: Hit[]): void {
  if (ctx.isNewColumn(table, cmd.name ?? '')) return;
  hits.push({
    rule: dropColumn,
    message:
      `${columnName(table, cmd.name)} is dropped: its data is gone, and releases that still read or write it ` + `fail`,
    safeAlternative:
      `Contract step: 1. deploy a release that no longer reads or writes ${cmd.name} (ignore it in the ORM; give it ` +
      `a DEFAULT or make it nullable first if it is NOT NULL); ` +
      `2. once no live release uses it, drop it in a contract migration (-- slipway: phase=contract after=VERSION) ` +
      `with -- slipway: allow drop-column because …; back the data up first if anyone may need it.`,
  });
}

function checkAddColumn(cmd: AlterTableCmd, table: TableRef, _ctx: LintContext, hits: Hit[]): void {
  const column = nodeAs(cmd.def, 'ColumnDef');
  if (!column || table.isNew) return;
  const facts = columnFacts(column);
  const name = columnName(table, facts.name);
  if (facts.serial) hits.push(serialHit(name, facts, table));
  else if (facts.identity) hits.push(identityHit(name, facts, table));
  else if (facts.storedGenerated) hits.push(storedGeneratedHit(name, facts, table));
  else if ((facts.notNull || facts.primaryKey) && !facts.defaultExpression) hits.push(notNullHit(name, facts, table));
  if (facts.defaultExpression) {
    const volatile = firstVolatile(functionCalls(facts.defaultExpression));
    if (volatile) hits.push(volatileDefaultHit(name, facts, table, volatile));
  }
}

function notNullHit(name: string, facts: ColumnFacts, table: TableRef): Hit {
  return {
    rule: addColumnNotNullNoDefault,
    message:
      `${name} is added NOT NULL without a default: it fails on a table with rows, and inserts by releases ` +
      `that do not know ${facts.name} fail`,
    safeAlternative:
      `1. expand: add ${facts.name} as nullable (or with a constant DEFAULT, which PostgreSQL 11+ stores without a ` +
      `rewrite); ` +
      `2. deploy code that writes it, and backfill existing rows in batches; ` +
      `3. ALTER TABLE ${table.display} ADD CONSTRAINT ${table.display.replace(/.*\./, '')}_${facts.name}_not_null ` +
      `CHECK (${facts.name} IS NOT NULL) NOT VALID, ` +
      `then VALIDATE CONSTRAINT, then SET NOT NULL (no scan) and drop the check.`,
  };
}

function volatileDefaultHit(name: string, facts: ColumnFacts, table: TableRef, volatile: VolatileCall): Hit {
  const why = volatile.args
    ? `its default calls ${volatile.name}() with ${volatile.args} argument${volatile.args > 1 ? 's' : ''}, but ` +
      `the built-in ${volatile.name}() takes none: whatever that resolves to, the linter does not know it and so ` +
      `assumes it volatile`
    : volatile.known
      ? `its default calls ${volatile.name}(), which is volatile`
      : `its default calls ${volatile.name}(), which the linter does not know and so assumes volatile`;
  return {
    rule: addColumnVolatileDefault,
    message:
      `${name} is added and ${why}: PostgreSQL computes it for every existing row, rewriting ` +
      `${table.display} under ACCESS EXCLUSIVE`,
    safeAlternative:
      `Add ${facts.name} without a default (or with a constant one), then ALTER COLUMN ${facts.name} SET DEFAULT ` +
      `${volatile.name}() in a second statement ` +
      `(it applies to new rows only), then backfill existing rows in batches.`,
    lock: 'ACCESS EXCLUSIVE',
  };
}

function serialHit(name: string, facts: ColumnFacts, table: TableRef): Hit {
  return {
    rule: addColumnSerial,
    message:
      `${name} is added as ${describeType(facts.type)}: its nextval() default fills every existing row, ` +
      `rewriting ${table.display} under ACCESS EXCLUSIVE`,
    safeAlternative:
      `Add ${facts.name} as a nullable bigint, create a sequence and SET DEFAULT nextval(…) (new rows only), ` +
      `backfill existing rows in batches, ` +
      `then make it NOT NULL through a validated CHECK constraint.`,
    lock: 'ACCESS EXCLUSIVE',
  };
}

function identityHit(name: string, facts: ColumnFacts, table: TableRef): Hit {
  return {
    rule: addColumnIdentity,
    message:
      `${name} is added as an identity column: every existing row gets a value, rewriting ${table.display} ` +
      `under ACCESS EXCLUSIVE`,
    safeAlternative:
      `Add ${facts.name} as a nullable bigint, backfill it in batches from a sequence, make it NOT NULL through a ` +
      `validated CHECK constraint, ` +
      `then ALTER COLUMN ${facts.name} ADD GENERATED BY DEFAULT AS IDENTITY (START WITH the next free value).`,
    lock: 'ACCESS EXCLUSIVE',
  };
}

function storedGeneratedHit(name: string, facts: ColumnFacts, table: TableRef): Hit {
  return {
    rule: addColumnStoredGenerated,
    message:
      `${name} is added as a stored generated column: PostgreSQL computes it for every row, rewriting ` +
      `${table.display} under ACCESS EXCLUSIVE`,
    safeAlternative:
      `Add ${facts.name} as a plain nullable column kept in sync by a BEFORE INSERT OR UPDATE trigger, backfill it ` +
      `in batches; ` +
      `or compute it in a view or in the query.`,
    lock: 'ACCESS EXCLUSIVE',
  };
}

function checkDropNotNull(cmd: AlterTableCmd, table: TableRef, ctx: LintContext, hits: Hit[]): void {
  if (ctx.isNewColumn(table, cmd.name ?? '')) return;
  hits.push({
    rule: dropNotNull,
    message:
      `${columnName(table, cmd.name)} becomes nullable: releases that read it assume it is never NULL and ` +
      `break once newer code writes NULL`,
    safeAlternative:
      `If new code merely stops writing ${cmd.name}, give it a DEFAULT instead (ALTER COLUMN ${cmd.name} SET ` +
      `DEFAULT …): old releases keep seeing values. ` +
      `Drop NOT NULL only once every live release tolerates NULL in ${cmd.name}, and say so: -- slipway: allow ` +
      `drop-not-null because ….`,
  });
}

export const columnRules: RuleModule = {
  rules: [
    renameColumn,
    dropColumn,
    addColumnNotNullNoDefault,
    addColumnVolatileDefault,
    addColumnSerial,
    addColumnIdentity,
    addColumnStoredGenerated,
    dropNotNull,
  ],
  statements: { RenameStmt: checkRename },
  alterTable: { AT_AddColumn: checkAddColumn, AT_DropColumn: checkDropColumn, AT_DropNotNull: checkDropNotNull },
};
