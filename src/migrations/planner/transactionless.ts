/**
 * Statements PostgreSQL refuses inside a transaction block (or that end the one they are in).
 * The shadow dry run runs them outside the migration's transaction, as the runner will; a plan
 * against a real database cannot run them at all, because it must roll everything back.
 */
import { optionEnabled } from '../linter/options.js';
import type { ParsedStatement } from '../types.js';

type Node = Record<string, unknown>;

/** Why `statement` cannot run inside a transaction block, or null when it can. */
export function outsideTransactionReason(statement: Pick<ParsedStatement, 'kind' | 'node'>): string | null {
  const { kind, node } = statement;
  switch (kind) {
    case 'IndexStmt':
      return node.concurrent === true ? 'CREATE INDEX CONCURRENTLY cannot run inside a transaction block' : null;
    case 'DropStmt':
      return node.concurrent === true ? 'DROP INDEX CONCURRENTLY cannot run inside a transaction block' : null;
    case 'ReindexStmt':
      if (hasConcurrentlyOption(node.params)) return 'REINDEX CONCURRENTLY cannot run inside a transaction block';
      if (node.kind === 'REINDEX_OBJECT_DATABASE' || node.kind === 'REINDEX_OBJECT_SYSTEM')
        return 'REINDEX DATABASE/SYSTEM cannot run inside a transaction block';
      return null;
    case 'AlterTableStmt':
      return detachesConcurrently(node) ? 'DETACH PARTITION CONCURRENTLY cannot run inside a transaction block' : null;
    case 'VacuumStmt':
      return node.is_vacuumcmd === true ? 'VACUUM cannot run inside a transaction block' : null;
    case 'CreatedbStmt':
    case 'DropdbStmt':
      return 'CREATE/DROP DATABASE cannot run inside a transaction block';
    case 'CreateTableSpaceStmt':
    case 'DropTableSpaceStmt':
      return 'CREATE/DROP TABLESPACE cannot run inside a transaction block';
    case 'AlterSystemStmt':
      return 'ALTER SYSTEM cannot run inside a transaction block';
    case 'CreateSubscriptionStmt':
    case 'DropSubscriptionStmt':
      return 'CREATE/DROP SUBSCRIPTION cannot run inside a transaction block';
    case 'TransactionStmt':
      return 'transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT) manages its own transaction';
    default:
      return null;
  }
}

/** True when a statement is one of the CONCURRENTLY forms. */
export function isConcurrent(statement: Pick<ParsedStatement, 'kind' | 'node'>): boolean {
  const { kind, node } = statement;
  if (kind === 'IndexStmt' || kind === 'DropStmt') return node.concurrent === true;
  if (kind === 'ReindexStmt') return hasConcurrentlyOption(node.params);
  if (kind === 'AlterTableStmt') return detachesConcurrently(node);
  return false;
}

/** `REINDEX (CONCURRENTLY) …` or `REINDEX … CONCURRENTLY`: both become a DefElem; `concurrently false` does not count.
 * */
export function isConcurrentlyOption(value: unknown): boolean {
  return (value as { DefElem?: Node } | null)?.DefElem?.defname === 'concurrently' && optionEnabled(value);
}

function hasConcurrentlyOption(params: unknown): boolean {
  return Array.isArray(params) && params.some(isConcurrentlyOption);
}

function detachesConcurrently(node: Node): boolean {
  const cmds = Array.isArray(node.cmds) ? (node.cmds as Node[]) : [];
  return cmds.some((cmd) => {
    const def = (cmd.AlterTableCmd as Node | undefined)?.def as { PartitionCmd?: Node } | undefined;
    return def?.PartitionCmd?.concurrent === true;
  });
}
