import { AsyncLocalStorage } from 'node:async_hooks';
import type { Queryable } from './db.js';
import { StoreError } from './errors.js';

/** One running `Db.transaction`: whether `fn` is still running and whether a statement failed. */
export interface TransactionScope {
  active: boolean;
  failed: boolean;
}

/** The transactions the current async context runs in, innermost first (one per Db at most). */
interface OpenTransaction {
  guard: TransactionGuard;
  scope: TransactionScope;
  outer: OpenTransaction | undefined;
}

/**
 * One AsyncLocalStorage for every Db, not one each. Node 20 never forgets an AsyncLocalStorage that has run once
 * (until `disable()`), and every promise created anywhere visits each one it remembers: a process that opens many
 * Dbs — a coordinator's shadow databases for dry runs, a test worker running hundreds of files — made every promise
 * slower with each Db it ever opened (the unit tests spent ~40 s of CPU in `_propagate` alone).
 */
const openTransactions = new AsyncLocalStorage<OpenTransaction>();

/**
 * Catches the transaction mistakes that behave differently on the two drivers: calling the Db
 * inside its own transaction (PGlite waits for the transaction forever; pg silently runs outside
 * it) and using `tx` after the transaction ended. One instance per Db.
 */
export class TransactionGuard {
  /** Throw if the caller runs inside a transaction of this Db that is still open. */
  assertOutside(operation: string): void {
    for (let open = openTransactions.getStore(); open; open = open.outer) {
      if (open.guard !== this || !open.scope.active) continue;
      throw new StoreError(
        'internal',
        `db.${operation}() was called inside db.transaction(); use the tx argument instead (nested transactions are ` +
          `not supported)`,
      );
    }
  }

  /** Run `fn` as the body of a transaction; the scope ends when `fn` settles. */
  async run<T>(fn: (scope: TransactionScope) => Promise<T>): Promise<T> {
    const scope: TransactionScope = { active: true, failed: false };
    try {
      const open = { guard: this, scope, outer: openTransactions.getStore() };
      return await openTransactions.run(open, () => fn(scope));
    } finally {
      scope.active = false;
    }
  }
}

/** Wrap a driver's transaction handle so it refuses use after the end and records failures. */
export function guardTransaction(scope: TransactionScope, inner: Queryable): Queryable {
  const track = async <T>(work: () => Promise<T>): Promise<T> => {
    if (!scope.active)
      throw new StoreError(
        'internal',
        'the transaction has already finished; tx was used after db.transaction() returned',
      );
    try {
      return await work();
    } catch (e) {
      scope.failed = true;
      throw e;
    }
  };
  return {
    query: <T>(sql: string, params?: unknown[]) => track(() => inner.query<T>(sql, params)),
    exec: (script) => track(() => inner.exec(script)),
  };
}

/** The error for a transaction whose body swallowed a failed statement (PostgreSQL then rolls back on COMMIT). */
export function swallowedFailureError(): StoreError {
  return new StoreError(
    'internal',
    'the transaction was rolled back: a statement in it failed and the error was caught inside db.transaction()',
  );
}
