/**
 * Rules about the transaction a statement runs in, and the lock queue. Slipway's runner wraps a
 * migration in one transaction unless it holds CONCURRENTLY statements; then it runs them one by
 * one. A statement waiting for a lock queues every later query on that table behind it, so DDL
 * needs lock_timeout; a backfill after DDL in one transaction keeps the DDL's lock until commit.
 */
import type { AlterTableCmd, Node, RangeVar } from 'libpg-query';
import { concurrentForm, isConcurrent } from '../concurrency.js';
import type { LintContext, TableRef } from '../context.js';
import { blocksWrites } from '../locks.js';
import { nodeAs, relationDisplay, relationKey, statementName } from '../nodes.js';
import { defineRule, type Hit } from '../rule.js';
import type { RuleModule } from './checks.js';

export const concurrentlyInTransaction = defineRule(
  'concurrently-in-transaction',
  'locking',
  'CONCURRENTLY cannot run inside a transaction block: PostgreSQL rejects it.',
);
export const ddlWithoutLockTimeout = defineRule(
  'ddl-without-lock-timeout',
  'locking',
  'DDL without lock_timeout can queue every query on the table behind it while it waits for its lock.',
);
export const backfillInDdlTransaction = defineRule(
  'backfill-in-ddl-transaction',
  'locking',
  'A data change in the same transaction as DDL keeps the DDL lock for the whole backfill.',
);

export const validateInDdlTransaction = defineRule(
  'validate-in-ddl-transaction',
  'locking',
  'VALIDATE CONSTRAINT in the same transaction as DDL on its table scans under the DDL lock.',
);

function checkConcurrently(ctx: LintContext, hits: Hit[]): void {
  const { kind, node } = ctx.statement;
  if (!ctx.inTransactionBlock || !isConcurrent(kind, node)) return;
  hits.push({
    rule: concurrentlyInTransaction,
    message: `${concurrentForm(kind)} runs inside BEGIN … COMMIT: PostgreSQL rejects it ("cannot run inside a transaction block")`,
    safeAlternative:
      `Remove the BEGIN/COMMIT around it: Slipway runs a migration that holds CONCURRENTLY statements statement by statement, outside a transaction ` +
      `(keep the other DDL in a migration of its own).`,
  });
}

function checkLockTimeout(ctx: LintContext, hits: Hit[]): void {
  if (ctx.lockTimeoutActive || ctx.lockTimeoutReported) return;
  const lock = ctx.locks.find((candidate) => blocksWrites(candidate.mode) && !ctx.isNewRelation(candidate.relation));
  if (!lock) return;
  ctx.lockTimeoutReported = true;
  hits.push({
    rule: ddlWithoutLockTimeout,
    message: `${statementName(ctx.statement.kind)} waits for ${lock.mode} on ${lock.display} with no lock_timeout: behind a long-running query it queues every read and write on ${lock.display} too`,
    safeAlternative:
      `Start the file with SET lock_timeout = '2s' (or let Slipway's runner set it: database.lockTimeout), so the statement gives up quickly and is retried ` +
      `instead of stalling traffic.`,
    lock: lock.mode,
  });
}

function dataChangeTarget(kind: string, node: Record<string, unknown>): RangeVar | undefined {
  if (kind === 'UpdateStmt' || kind === 'DeleteStmt' || kind === 'MergeStmt') return node['relation'] as RangeVar | undefined;
  if (kind !== 'InsertStmt') return undefined;
  // INSERT … VALUES seeds a few rows; INSERT … SELECT … FROM copies a table.
  const select = nodeAs(node['selectStmt'] as Node | undefined, 'SelectStmt');
  return (select?.fromClause?.length ?? 0) > 0 ? (node['relation'] as RangeVar | undefined) : undefined;
}

function checkBackfill(ctx: LintContext, hits: Hit[]): void {
  if (!ctx.inTransaction || ctx.heldLocks.size === 0) return;
  const target = dataChangeTarget(ctx.statement.kind, ctx.statement.node);
  if (!target || ctx.isNewRelation(relationKey(target))) return;
  const held = ctx.heldLocks.get(relationKey(target)) ?? ctx.heldLocks.values().next().value!;
  hits.push({
    rule: backfillInDdlTransaction,
    message:
      `${statementName(ctx.statement.kind)} on ${relationDisplay(target)} runs in the same transaction as the ${statementName(held.kind)} at line ${held.line}, ` +
      `which holds ${held.mode} on ${held.relation} until commit: ${held.relation} is blocked for the whole backfill`,
    safeAlternative: `Commit the DDL first: move the backfill to a migration of its own (or a background job) and run it in batches.`,
    lock: held.mode,
  });
}

function checkValidate(cmd: AlterTableCmd, table: TableRef, ctx: LintContext, hits: Hit[]): void {
  const held = ctx.inTransaction ? ctx.heldLocks.get(table.key) : undefined;
  if (!held) return;
  hits.push({
    rule: validateInDdlTransaction,
    message:
      `VALIDATE CONSTRAINT ${cmd.name} scans ${table.display} in the same transaction as the ${statementName(held.kind)} at line ${held.line}, ` +
      `which holds ${held.mode} on it until commit: the scan blocks reads and writes after all`,
    safeAlternative: `Validate in a migration of its own, after the one that adds the constraint NOT VALID has committed (VALIDATE alone takes SHARE UPDATE EXCLUSIVE).`,
    lock: held.mode,
  });
}

export const transactionRules: RuleModule = {
  rules: [concurrentlyInTransaction, ddlWithoutLockTimeout, backfillInDdlTransaction, validateInDdlTransaction],
  alterTable: { AT_ValidateConstraint: checkValidate },
  everyStatement(ctx, hits) {
    checkConcurrently(ctx, hits);
    checkLockTimeout(ctx, hits);
    checkBackfill(ctx, hits);
  },
};
