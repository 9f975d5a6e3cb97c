/**
 * The CONCURRENTLY forms. They cannot run inside a transaction block, so Slipway's runner runs a
 * migration that holds one statement by statement, without its usual wrapping transaction.
 */
import type { Node } from 'libpg-query';
import { nodeAs } from './nodes.js';
import { hasOption } from './options.js';

/** True for CREATE/DROP INDEX CONCURRENTLY, REINDEX … CONCURRENTLY and DETACH PARTITION … CONCURRENTLY. */
export function isConcurrent(kind: string, node: Record<string, unknown>): boolean {
  switch (kind) {
    case 'IndexStmt':
    case 'DropStmt':
      return node.concurrent === true;
    case 'ReindexStmt':
      // `REINDEX (CONCURRENTLY false) …` is the plain form.
      return hasOption(node.params as Node[] | undefined, 'concurrently');
    case 'AlterTableStmt':
      return ((node.cmds as Node[] | undefined) ?? []).some(
        (cmd) => nodeAs(nodeAs(cmd, 'AlterTableCmd')?.def, 'PartitionCmd')?.concurrent === true,
      );
    default:
      return false;
  }
}

const forms: Record<string, string> = {
  IndexStmt: 'CREATE INDEX CONCURRENTLY',
  DropStmt: 'DROP INDEX CONCURRENTLY',
  ReindexStmt: 'REINDEX … CONCURRENTLY',
  AlterTableStmt: 'DETACH PARTITION … CONCURRENTLY',
};

/** How a message names the concurrent form of a statement kind. */
export function concurrentForm(kind: string): string {
  return forms[kind] ?? 'CONCURRENTLY';
}
