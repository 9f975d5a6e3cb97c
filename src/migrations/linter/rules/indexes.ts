/**
 * Index builds and drops. Without CONCURRENTLY, CREATE INDEX blocks writes for the whole build
 * and DROP INDEX / REINDEX block reads as well; on a table created in the same file nobody waits.
 */
import type { DropStmt, IndexStmt, ReindexStmt } from 'libpg-query';
import { isConcurrent } from '../concurrency.js';
import type { LintContext } from '../context.js';
import { keyOfNames, objectNames, relationDisplay, relationKey } from '../nodes.js';
import { defineRule, type Hit } from '../rule.js';
import type { RuleModule } from './checks.js';

export const createIndexNotConcurrently = defineRule(
  'create-index-not-concurrently',
  'locking',
  'CREATE INDEX without CONCURRENTLY blocks writes to the table for the whole build.',
);
export const dropIndexNotConcurrently = defineRule(
  'drop-index-not-concurrently',
  'locking',
  'DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the table.',
);
export const reindexNotConcurrently = defineRule(
  'reindex-not-concurrently',
  'locking',
  'REINDEX without CONCURRENTLY blocks writes, and reads that use the index.',
);

export const unnamedConcurrentIndex = defineRule(
  'unnamed-concurrent-index',
  'locking',
  'CREATE INDEX CONCURRENTLY without a name: `slipway migrate apply` refuses it (a failed build could not be found).',
);
export const concurrentIndexNotIfNotExists = defineRule(
  'concurrent-index-without-if-not-exists',
  'safe',
  'CREATE INDEX CONCURRENTLY without IF NOT EXISTS cannot be re-run by other tools after a failure.',
);

const outsideTransaction =
  'it cannot run in a transaction: Slipway runs a migration holding CONCURRENTLY statements statement by statement';

function checkCreateIndex(node: IndexStmt, ctx: LintContext, hits: Hit[]): void {
  if (node.concurrent) {
    checkConcurrentIndex(node, hits);
    return;
  }
  if (ctx.isNewRelation(relationKey(node.relation))) return;
  const table = relationDisplay(node.relation);
  const name = node.idxname ? `index ${node.idxname}` : 'an index';
  hits.push({
    rule: createIndexNotConcurrently,
    message:
      `${name} is built on ${table} without CONCURRENTLY: SHARE lock blocks inserts, updates and deletes on ` +
      `${table} until the build finishes`,
    safeAlternative:
      `CREATE ${node.unique ? 'UNIQUE ' : ''}INDEX CONCURRENTLY ${node.idxname ?? '…'} ON ${table} ` +
      `…; ${outsideTransaction}. If it fails it leaves an INVALID index: drop it and retry.`,
    lock: 'SHARE',
  });
}

/**
 * The runner (runner/script.ts) refuses an unnamed concurrent build: a failed one leaves an INVALID
 * index it must find by name and drop before the re-run. Other tools re-run the file as it is, and
 * then only IF NOT EXISTS keeps the second run from failing on the leftover.
 */
function checkConcurrentIndex(node: IndexStmt, hits: Hit[]): void {
  const table = relationDisplay(node.relation);
  const unique = node.unique ? 'UNIQUE ' : '';
  if (!node.idxname) {
    hits.push({
      rule: unnamedConcurrentIndex,
      message:
        `CREATE INDEX CONCURRENTLY on ${table} has no name: \`slipway migrate apply\` refuses it, because a ` +
        `failed build leaves an INVALID index that a re-run could not find and drop`,
      safeAlternative:
        `Name it: CREATE ${unique}INDEX CONCURRENTLY ${table.replace(/.*\./, '')}_…_idx ON ${table} (…), so a ` +
        're-run finds a failed build.',
    });
    return;
  }
  if (node.if_not_exists) return;
  hits.push({
    rule: concurrentIndexNotIfNotExists,
    message:
      `CREATE INDEX CONCURRENTLY ${node.idxname} has no IF NOT EXISTS: after a failed build its INVALID index ` +
      `stays, and re-running the file with a tool other than Slipway fails with "already exists" ` +
      `(Slipway's runner drops the INVALID index before its re-run)`,
    safeAlternative:
      `DROP INDEX CONCURRENTLY IF EXISTS ${node.idxname}; then CREATE ${unique}INDEX CONCURRENTLY IF NOT EXISTS ` +
      `${node.idxname} ON ${table} (…): the drop clears an INVALID leftover that IF NOT EXISTS alone would keep.`,
  });
}

function checkDropIndex(node: DropStmt, ctx: LintContext, hits: Hit[]): void {
  if (node.removeType !== 'OBJECT_INDEX' || node.concurrent) return;
  for (const object of node.objects ?? []) {
    const parts = objectNames(object);
    if (ctx.isNewRelation(keyOfNames(parts))) continue;
    const name = parts.join('.');
    hits.push({
      rule: dropIndexNotConcurrently,
      message:
        `index ${name} is dropped without CONCURRENTLY: ACCESS EXCLUSIVE on its table blocks reads and ` +
        `writes while it waits and runs`,
      safeAlternative:
        `DROP INDEX CONCURRENTLY ${node.missing_ok ? 'IF EXISTS ' : ''}${name}; ` +
        `${outsideTransaction} (one index per statement).`,
      lock: 'ACCESS EXCLUSIVE',
    });
  }
}

function checkReindex(node: ReindexStmt, ctx: LintContext, hits: Hit[]): void {
  // System catalogs cannot be reindexed concurrently, so there is no safer form to suggest.
  if (node.kind === 'REINDEX_OBJECT_SYSTEM') return;
  if (isConcurrent('ReindexStmt', node as Record<string, unknown>)) return;
  if (node.relation && ctx.isNewRelation(relationKey(node.relation))) return;
  const kind = reindexKinds[node.kind ?? ''] ?? 'INDEX';
  const name = node.relation ? relationDisplay(node.relation) : (node.name ?? '');
  hits.push({
    rule: reindexNotConcurrently,
    message:
      `REINDEX ${kind} ${name} without CONCURRENTLY blocks writes to the table and, with ACCESS EXCLUSIVE on ` +
      `each index, the reads that plan with it`,
    safeAlternative: `REINDEX ${kind} CONCURRENTLY ${name} (PostgreSQL 12+); ${outsideTransaction}.`,
    lock: 'ACCESS EXCLUSIVE',
  });
}

const reindexKinds: Record<string, string> = {
  REINDEX_OBJECT_INDEX: 'INDEX',
  REINDEX_OBJECT_TABLE: 'TABLE',
  REINDEX_OBJECT_SCHEMA: 'SCHEMA',
  REINDEX_OBJECT_DATABASE: 'DATABASE',
  REINDEX_OBJECT_SYSTEM: 'SYSTEM',
};

export const indexRules: RuleModule = {
  rules: [
    createIndexNotConcurrently,
    dropIndexNotConcurrently,
    reindexNotConcurrently,
    unnamedConcurrentIndex,
    concurrentIndexNotIfNotExists,
  ],
  statements: { IndexStmt: checkCreateIndex, DropStmt: checkDropIndex, ReindexStmt: checkReindex },
};
