/**
 * Data changes in migrations. An UPDATE or DELETE without WHERE touches every row in one
 * transaction: it overwrites or deletes data, row-locks the whole table against concurrent
 * writers until commit, and leaves a dead copy of every row behind.
 */
import type { DeleteStmt, Node, UpdateStmt } from 'libpg-query';
import type { LintContext } from '../context.js';
import { nodeAs } from '../nodes.js';
import { defineRule, type Hit } from '../rule.js';
import type { RuleModule } from './checks.js';

export const updateWithoutWhere = defineRule(
  'update-without-where',
  'data-loss',
  'UPDATE without WHERE overwrites a column in every row.',
);
export const deleteWithoutWhere = defineRule(
  'delete-without-where',
  'data-loss',
  'DELETE without WHERE deletes every row.',
);
export const backfillWithoutBatching = defineRule(
  'backfill-without-batching',
  'locking',
  'Backfilling a new column with one UPDATE locks every row until it commits.',
);

const batches =
  'in batches keyed on the primary key (… WHERE id >= $1 AND id < $1 + 10000), each its own transaction, from a ' +
  'migration of its own or a background job';

function setColumns(targets: Node[] | undefined): string[] {
  const names: string[] = [];
  for (const target of targets ?? []) {
    const name = nodeAs(target, 'ResTarget')?.name;
    if (name) names.push(name);
  }
  return names;
}

function checkUpdate(node: UpdateStmt, ctx: LintContext, hits: Hit[]): void {
  const table = ctx.table(node.relation);
  if (node.whereClause || table.isNew) return;
  const columns = setColumns(node.targetList);
  const list = columns.join(', ');
  if (columns.length > 0 && columns.every((column) => ctx.isNewColumn(table, column))) {
    hits.push({
      rule: backfillWithoutBatching,
      message:
        `UPDATE ${table.display} fills ${list} in every row in one statement: each row stays locked against ` +
        `other writers until it commits`,
      safeAlternative: `Backfill ${list} ${batches}.`,
    });
    return;
  }
  hits.push({
    rule: updateWithoutWhere,
    message:
      `UPDATE ${table.display} has no WHERE: it overwrites ${list || 'the target columns'} in every row and ` +
      `locks every row until it commits`,
    safeAlternative:
      `Restrict it with a WHERE, and update ${batches}; if every row really must change, say so: -- ` +
      `slipway: allow update-without-where because ….`,
  });
}

function checkDelete(node: DeleteStmt, ctx: LintContext, hits: Hit[]): void {
  const table = ctx.table(node.relation);
  if (node.whereClause || table.isNew) return;
  hits.push({
    rule: deleteWithoutWhere,
    message: `DELETE FROM ${table.display} has no WHERE: it deletes every row`,
    safeAlternative:
      `Restrict it with a WHERE and delete ${batches}; if the table really must be emptied, say so: ` +
      `-- slipway: allow delete-without-where because ….`,
  });
}

export const dataRules: RuleModule = {
  rules: [updateWithoutWhere, deleteWithoutWhere, backfillWithoutBatching],
  statements: { UpdateStmt: checkUpdate, DeleteStmt: checkDelete },
};
