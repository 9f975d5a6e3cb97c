/**
 * Whole-table operations: renames and drops old releases notice, TRUNCATE, and the maintenance
 * commands that hold ACCESS EXCLUSIVE for as long as they run (VACUUM FULL, CLUSTER, DETACH
 * PARTITION without CONCURRENTLY).
 */
import type {
  AlterTableCmd,
  ClusterStmt,
  DropdbStmt,
  DropStmt,
  RenameStmt,
  TruncateStmt,
  VacuumStmt,
} from 'libpg-query';
import type { LintContext, TableRef } from '../context.js';
import { keyOfNames, nodeAs, objectNames, relationDisplay, relationKey } from '../nodes.js';
import { hasOption } from '../options.js';
import { defineRule, type Hit } from '../rule.js';
import type { RuleModule } from './checks.js';

export const renameTable = defineRule(
  'rename-table',
  'breaking',
  'Renaming a table or view breaks releases that use the old name.',
);
export const dropTable = defineRule(
  'drop-table',
  'data-loss',
  'Dropping a table loses its data and breaks releases that use it.',
);
export const dropSchema = defineRule('drop-schema', 'data-loss', 'Dropping a schema drops everything in it.');
export const dropDatabase = defineRule(
  'drop-database',
  'data-loss',
  'Dropping a database loses every table in it and cuts off every client.',
);
export const truncateTable = defineRule(
  'truncate-table',
  'data-loss',
  'TRUNCATE deletes every row under ACCESS EXCLUSIVE.',
);
export const truncateCascade = defineRule(
  'truncate-cascade',
  'data-loss',
  'TRUNCATE … CASCADE also empties every table that references it.',
);
export const detachPartition = defineRule(
  'detach-partition-not-concurrently',
  'locking',
  'DETACH PARTITION without CONCURRENTLY takes ACCESS EXCLUSIVE on the parent table.',
);
export const vacuumFull = defineRule(
  'vacuum-full',
  'locking',
  'VACUUM FULL rewrites the table under ACCESS EXCLUSIVE.',
);
export const cluster = defineRule('cluster', 'locking', 'CLUSTER rewrites the table under ACCESS EXCLUSIVE.');

const renamedRelations: Record<string, string> = {
  OBJECT_TABLE: 'table',
  OBJECT_VIEW: 'view',
  OBJECT_MATVIEW: 'materialized view',
  OBJECT_FOREIGN_TABLE: 'foreign table',
};

function checkRename(node: RenameStmt, ctx: LintContext, hits: Hit[]): void {
  const noun = renamedRelations[node.renameType ?? ''];
  const table = ctx.table(node.relation);
  if (!noun || table.isNew) return;
  const to = node.newname ?? '?';
  hits.push({
    rule: renameTable,
    message:
      `${noun} ${table.display} is renamed to ${to}: releases still running query "${table.display}" and ` +
      `fail until they are replaced`,
    safeAlternative:
      `1. expand: rename it and keep the old name working with a view in the same migration ` +
      `(ALTER TABLE ${table.display} RENAME TO ${to}; CREATE VIEW ${table.display} AS SELECT * FROM ${to}; simple ` +
      `views accept writes); ` +
      `2. deploy a release that uses ${to}; 3. contract: DROP VIEW ${table.display} once no live release uses it.`,
  });
}

function checkDrop(node: DropStmt, ctx: LintContext, hits: Hit[]): void {
  if (node.removeType === 'OBJECT_TABLE') {
    for (const object of node.objects ?? []) {
      const parts = objectNames(object);
      if (ctx.isNewRelation(keyOfNames(parts))) continue;
      const name = parts.join('.');
      hits.push({
        rule: dropTable,
        message:
          `table ${name} is dropped` +
          (node.behavior === 'DROP_CASCADE' ? ' with CASCADE (views and foreign keys that depend on it go too)' : '') +
          ': its data is gone, and releases that still use it fail',
        safeAlternative:
          `Contract step: 1. deploy a release that no longer uses ${name}; 2. once no live release does, drop it in ` +
          `a contract migration ` +
          `(-- slipway: phase=contract after=VERSION) with -- slipway: allow drop-table because …; back the data up ` +
          `first (or rename it away and drop it a release later).`,
      });
    }
  } else if (node.removeType === 'OBJECT_SCHEMA') {
    for (const object of node.objects ?? []) {
      const name = objectNames(object).join('.');
      if (ctx.newSchemas.has(name)) continue;
      hits.push({
        rule: dropSchema,
        message:
          `schema ${name} is dropped` +
          (node.behavior === 'DROP_CASCADE' ? ' with CASCADE: every table, view and function in it goes' : '') +
          ': its objects and their data are gone',
        safeAlternative:
          `Drop the objects one at a time in contract migrations, after no live release uses them; ` +
          `drop the empty schema last.`,
      });
    }
  }
}

function checkDropDatabase(node: DropdbStmt, _ctx: LintContext, hits: Hit[]): void {
  const name = node.dbname ?? '?';
  hits.push({
    rule: dropDatabase,
    message:
      `database ${name} is dropped${node.missing_ok ? ' (IF EXISTS only hides that it was absent)' : ''}: every ` +
      `table in it and its data are gone, and every release connected to it fails`,
    safeAlternative:
      `Migrations change a schema, not the set of databases: drop a database by hand, after a backup ` +
      `(slipway db backups), once nothing connects to it. If this file really must, say so: -- slipway: allow ` +
      `drop-database because ….`,
  });
}

function checkTruncate(node: TruncateStmt, ctx: LintContext, hits: Hit[]): void {
  const names: string[] = [];
  for (const item of node.relations ?? []) {
    const relation = nodeAs(item, 'RangeVar');
    if (relation && !ctx.isNewRelation(relationKey(relation))) names.push(relationDisplay(relation));
  }
  if (names.length === 0) return;
  const list = names.join(', ');
  if (node.behavior === 'DROP_CASCADE') {
    hits.push({
      rule: truncateCascade,
      message:
        `TRUNCATE ${list} CASCADE deletes every row of ${list} and of every table with a foreign key to ` +
        `${names.length > 1 ? 'them' : 'it'}, under ACCESS EXCLUSIVE`,
      safeAlternative:
        `Name every table to empty explicitly (no CASCADE), or delete in batches; if emptying them ` +
        `is intended, say so: -- slipway: allow truncate-cascade because ….`,
    });
  } else {
    hits.push({
      rule: truncateTable,
      message: `TRUNCATE deletes every row of ${list} under ACCESS EXCLUSIVE`,
      safeAlternative:
        `Delete in batches (DELETE … WHERE id IN (SELECT id … LIMIT 10000)) from a background job; ` +
        `if the data is disposable, say so: -- slipway: allow truncate-table because ….`,
    });
  }
}

function checkDetach(cmd: AlterTableCmd, table: TableRef, _ctx: LintContext, hits: Hit[]): void {
  const partition = nodeAs(cmd.def, 'PartitionCmd');
  if (!partition || partition.concurrent || table.isNew) return;
  hits.push({
    rule: detachPartition,
    message:
      `partition ${relationDisplay(partition.name)} is detached from ${table.display} without CONCURRENTLY: ` +
      `ACCESS EXCLUSIVE on ${table.display} blocks reads and writes`,
    safeAlternative:
      `ALTER TABLE ${table.display} DETACH PARTITION ${relationDisplay(partition.name)} CONCURRENTLY ` +
      `(PostgreSQL 14+; outside a transaction — Slipway runs such a migration statement by statement).`,
    lock: 'ACCESS EXCLUSIVE',
  });
}

function checkVacuum(node: VacuumStmt, ctx: LintContext, hits: Hit[]): void {
  if (!hasOption(node.options, 'full')) return;
  const tables = (node.rels ?? []).map((rel) => nodeAs(rel, 'VacuumRelation')?.relation);
  if (tables.length > 0 && tables.every((table) => ctx.isNewRelation(relationKey(table)))) return;
  const list = tables.length > 0 ? tables.map(relationDisplay).join(', ') : 'every table of the database';
  hits.push({
    rule: vacuumFull,
    message: `VACUUM FULL rewrites ${list} under ACCESS EXCLUSIVE: reads and writes wait until it finishes`,
    safeAlternative:
      `Rebuild online with pg_repack or pg_squeeze; plain VACUUM (no FULL) reclaims space for reuse ` +
      `without blocking reads or writes.`,
    lock: 'ACCESS EXCLUSIVE',
  });
}

function checkCluster(node: ClusterStmt, ctx: LintContext, hits: Hit[]): void {
  if (node.relation && ctx.isNewRelation(relationKey(node.relation))) return;
  const target = node.relation ? relationDisplay(node.relation) : 'every previously clustered table';
  hits.push({
    rule: cluster,
    message: `CLUSTER rewrites ${target} under ACCESS EXCLUSIVE: reads and writes wait until it finishes`,
    safeAlternative: `Reorder online with pg_repack (--order-by), or rely on an index without physical ordering.`,
    lock: 'ACCESS EXCLUSIVE',
  });
}

export const tableRules: RuleModule = {
  rules: [
    renameTable,
    dropTable,
    dropSchema,
    dropDatabase,
    truncateTable,
    truncateCascade,
    detachPartition,
    vacuumFull,
    cluster,
  ],
  statements: {
    RenameStmt: checkRename,
    DropStmt: checkDrop,
    DropdbStmt: checkDropDatabase,
    TruncateStmt: checkTruncate,
    VacuumStmt: checkVacuum,
    ClusterStmt: checkCluster,
  },
  alterTable: { AT_DetachPartition: checkDetach },
};
