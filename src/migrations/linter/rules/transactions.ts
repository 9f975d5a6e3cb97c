/**
 * Rules about the transaction a statement runs in, and the lock queue. Slipway's runner wraps a
 * migration in one transaction unless it holds CONCURRENTLY statements; then it runs them one by
 * one. Either way it owns the transaction, so it refuses files that begin or end one. A statement waiting for a lock
 * queues every later query on that table behind it, so DDL
 * needs lock_timeout; a backfill after DDL in one transaction keeps the DDL's lock until commit.
 */
import type { AlterTableCmd, Node, RangeVar, TransactionStmt } from 'libpg-query';
import { concurrentForm, isConcurrent } from '../concurrency.js';
import type { LintContext, TableRef } from '../context.js';
import { blocksWrites } from '../locks.js';
import { nodeAs, relationDisplay, relationKey, statementName } from '../nodes.js';
import { defineRule, type Hit } from '../rule.js';
import type { RuleModule } from './checks.js';

export const transactionControl = defineRule(
  'transaction-control',
  'locking',
  'BEGIN/COMMIT/ROLLBACK in a migration: Slipway owns the transaction and refuses files that control it (SAVEPOINT ' +
    'is fine).',
);
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

/** The kinds the runner accepts (runner/script.ts): savepoints nest inside its transaction. */
const savepointKinds = new Set(['TRANS_STMT_SAVEPOINT', 'TRANS_STMT_RELEASE', 'TRANS_STMT_ROLLBACK_TO']);

const transactionKindNames: Record<string, string> = {
  TRANS_STMT_BEGIN: 'BEGIN',
  TRANS_STMT_START: 'START TRANSACTION',
  TRANS_STMT_COMMIT: 'COMMIT',
  TRANS_STMT_ROLLBACK: 'ROLLBACK',
  TRANS_STMT_PREPARE: 'PREPARE TRANSACTION',
  TRANS_STMT_COMMIT_PREPARED: 'COMMIT PREPARED',
  TRANS_STMT_ROLLBACK_PREPARED: 'ROLLBACK PREPARED',
};

/** How the user wrote it: END and ABORT parse as COMMIT and ROLLBACK but should be named as written. */
function transactionStatementName(kind: string | undefined, text: string): string {
  const keyword = /^[a-z]+/i.exec(text)?.[0].toUpperCase();
  if (keyword === 'END' || keyword === 'ABORT') return keyword;
  return transactionKindNames[kind ?? ''] ?? keyword ?? 'transaction control';
}

function checkTransactionControl(node: TransactionStmt, ctx: LintContext, hits: Hit[]): void {
  // libpg-query always names the kind; an unnamed one is refused by the runner too.
  if (node.kind !== undefined && savepointKinds.has(node.kind)) return;
  hits.push({
    rule: transactionControl,
    message:
      `${transactionStatementName(node.kind, ctx.statement.text)} inside a migration: Slipway runs each migration ` +
      `in its own transaction ` +
      `(or statement by statement when it holds CONCURRENTLY) and refuses files that control transactions themselves`,
    safeAlternative:
      `Remove the BEGIN/COMMIT: the runner already wraps the migration in a transaction. If you need several ` +
      `transactions, split the file into several migrations; ` +
      `for a partial rollback use SAVEPOINT … ROLLBACK TO SAVEPOINT, which the runner allows.`,
  });
}

function checkConcurrently(ctx: LintContext, hits: Hit[]): void {
  const { kind, node } = ctx.statement;
  if (!ctx.inTransactionBlock || !isConcurrent(kind, node)) return;
  hits.push({
    rule: concurrentlyInTransaction,
    message:
      `${concurrentForm(kind)} runs inside BEGIN … COMMIT: PostgreSQL rejects it ("cannot run inside a ` +
      `transaction block")`,
    safeAlternative:
      `Remove the BEGIN/COMMIT around it: Slipway runs a migration that holds CONCURRENTLY statements statement by ` +
      `statement, outside a transaction ` +
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
    message:
      `${statementName(ctx.statement.kind)} waits for ${lock.mode} on ${lock.display} with no lock_timeout: ` +
      `behind a long-running query it queues every read and write on ${lock.display} too`,
    safeAlternative:
      `Start the file with SET lock_timeout = '2s' (or let Slipway's runner set it: database.lockTimeout), so the ` +
      `statement gives up quickly and is retried ` +
      `instead of stalling traffic.`,
    lock: lock.mode,
  });
}

function dataChangeTarget(kind: string, node: Record<string, unknown>): RangeVar | undefined {
  if (kind === 'UpdateStmt' || kind === 'DeleteStmt' || kind === 'MergeStmt')
    return node.relation as RangeVar | undefined;
  if (kind !== 'InsertStmt') return undefined;
  // INSERT … VALUES seeds a few rows; INSERT … SELECT … FROM copies a table.
  const select = nodeAs(node.selectStmt as Node | undefined, 'SelectStmt');
  return (select?.fromClause?.length ?? 0) > 0 ? (node.relation as RangeVar | undefined) : undefined;
}

function checkBackfill(ctx: LintContext, hits: Hit[]): void {
  if (!ctx.inTransaction || ctx.heldLocks.size === 0) return;
  const target = dataChangeTarget(ctx.statement.kind, ctx.statement.node);
  if (!target || ctx.isNewRelation(relationKey(target))) return;
  const held = ctx.heldLocks.get(relationKey(target)) ?? ctx.heldLocks.values().next().value!;
  hits.push({
    rule: backfillInDdlTransaction,
    message:
      `${statementName(ctx.statement.kind)} on ${relationDisplay(target)} runs in the same transaction as the ` +
      `${statementName(held.kind)} at line ${held.line}, ` +
      `which holds ${held.mode} on ${held.relation} until commit: ${held.relation} is blocked for the whole backfill`,
    safeAlternative:
      `Commit the DDL first: move the backfill to a migration of its own (or a background job) and ` +
      `run it in batches.`,
    lock: held.mode,
  });
}

function checkValidate(cmd: AlterTableCmd, table: TableRef, ctx: LintContext, hits: Hit[]): void {
  const held = ctx.inTransaction ? ctx.heldLocks.get(table.key) : undefined;
  if (!held) return;
  hits.push({
    rule: validateInDdlTransaction,
    message:
      `VALIDATE CONSTRAINT ${cmd.name} scans ${table.display} in the same transaction as the ` +
      `${statementName(held.kind)} at line ${held.line}, ` +
      `which holds ${held.mode} on it until commit: the scan blocks reads and writes after all`,
    safeAlternative:
      `Validate in a migration of its own, after the one that adds the constraint NOT VALID has ` +
      `committed (VALIDATE alone takes SHARE UPDATE EXCLUSIVE).`,
    lock: held.mode,
  });
}

export const transactionRules: RuleModule = {
  rules: [
    transactionControl,
    concurrentlyInTransaction,
    ddlWithoutLockTimeout,
    backfillInDdlTransaction,
    validateInDdlTransaction,
  ],
  statements: { TransactionStmt: checkTransactionControl },
  alterTable: { AT_ValidateConstraint: checkValidate },
  everyStatement(ctx, hits) {
    checkConcurrently(ctx, hits);
    checkLockTimeout(ctx, hits);
    checkBackfill(ctx, hits);
  },
};
