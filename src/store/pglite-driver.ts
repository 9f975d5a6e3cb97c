import { resolve } from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { Logger } from '../shared/logging.js';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.js';
import type { Db, Queryable, QueryResult } from './db.js';
import { StoreError } from './errors.js';
import { turnIfBusy } from './event-loop-turns.js';
import { ensureParentDir, ensurePgliteDataDir, reasonOf } from './pglite-data-dir.js';
import { toSqlError } from './sql-errors.js';
import { TransactionGuard, guardTransaction, swallowedFailureError } from './transaction-guard.js';
import { installPgliteArrayParsers, pgliteParsers } from './type-parsers.js';

/** Where the PGlite database lives: a data directory (created when missing), or memory. */
export interface PgliteOptions {
  /** Undefined: an in-memory database, gone on close. */
  dataDir?: string;
  /** A `dumpDataDir()` tarball to start from when the database is new (test templates). */
  loadDataDir?: Blob;
  logger?: Logger;
}

/**
 * Open PGlite (PostgreSQL compiled to WASM, in this process). A data directory is locked for
 * this process until `close()`; a second opener gets a StoreError naming the holder's pid.
 * Example: `const db = await openPglite({ dataDir: '/var/lib/slipway/db' })`
 */
export async function openPglite(options: PgliteOptions = {}): Promise<Db> {
  if (options.loadDataDir) await assertTarball(options.loadDataDir);
  if (options.dataDir === undefined) return new PgliteDb(await start(undefined, options.loadDataDir), undefined);
  const dataDir = resolve(options.dataDir);
  await ensureParentDir(dataDir);
  const lock = await acquireDataDirLock(dataDir);
  try {
    const started = Date.now();
    const created = await ensurePgliteDataDir(dataDir, options.loadDataDir);
    if (created === 'created') options.logger?.info({ dataDir, ms: Date.now() - started }, 'created a PGlite database');
    return new PgliteDb(await start(dataDir), lock);
  } catch (e) {
    await lock.release();
    throw e;
  }
}

async function start(dataDir: string | undefined, loadDataDir?: Blob): Promise<PGlite> {
  try {
    const pglite = new PGlite({
      parsers: pgliteParsers,
      ...(dataDir ? { dataDir } : {}),
      ...(loadDataDir ? { loadDataDir } : {}),
    });
    await pglite.waitReady;
    await installPgliteArrayParsers(pglite);
    return pglite;
  } catch (e) {
    throw new StoreError(
      'unavailable',
      `cannot open the PGlite database ${dataDir ? `in ${dataDir}` : 'in memory'}: ${reasonOf(e)}`,
      { dataDir },
      { cause: e },
    );
  }
}

/** Snapshot a PGlite database as an uncompressed tarball, loadable with `openPglite({ loadDataDir })` (test templates,
 * backups). */
export async function dumpPglite(db: Db): Promise<Blob> {
  if (!(db instanceof PgliteDb))
    throw new StoreError('invalid_input', `dumpPglite needs a PGlite database, got the ${db.driver} driver`);
  return db.dump();
}

/** PGlite crashes the process (an unhandled zlib rejection) on a blob that is not a tarball, so check first. */
async function assertTarball(blob: Blob): Promise<void> {
  const head = new Uint8Array(await blob.slice(0, 263).arrayBuffer());
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  const tar = new TextDecoder().decode(head.subarray(257, 262)) === 'ustar';
  if (!gzip && !tar)
    throw new StoreError(
      'invalid_input',
      'loadDataDir is not a PGlite dump (expected a tar or tar.gz from dumpDataDir())',
    );
}

type PgliteQueryable = Pick<PGlite | Transaction, 'query' | 'exec'>;

async function runQuery<T>(on: PgliteQueryable, sql: string, params: unknown[] | undefined): Promise<QueryResult<T>> {
  // Statements resolve on microtasks: without this a burst of them holds off every timer and socket.
  const turn = turnIfBusy();
  if (turn) await turn;
  // PGlite's errors carry the statement's parameters: never let them travel (they end up in logs).
  const result = await on.query<T>(sql, params ?? []).catch((e: unknown) => Promise.reject(toSqlError(e, sql)));
  // PGlite counts only affected rows; pg's rowCount is the rows returned by a SELECT too.
  return { rows: result.rows, rowCount: Math.max(result.affectedRows ?? 0, result.rows.length) };
}

class PgliteDb implements Db {
  readonly driver = 'pglite' as const;
  private readonly guard = new TransactionGuard();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly pglite: PGlite,
    private readonly lock: DataDirLock | undefined,
  ) {}

  async query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
    this.assertUsable('query');
    return runQuery<T>(this.pglite, sql, params);
  }

  async exec(script: string): Promise<void> {
    this.assertUsable('exec');
    await turnIfBusy();
    await this.pglite.exec(script).catch((e: unknown) => Promise.reject(toSqlError(e, script)));
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    this.assertUsable('transaction');
    return this.pglite.transaction((raw) =>
      this.guard.run(async (scope) => {
        const tx = guardTransaction(scope, {
          query: <R>(sql: string, params?: unknown[]) => runQuery<R>(raw, sql, params),
          exec: async (script: string) =>
            void (await raw.exec(script).catch((e: unknown) => Promise.reject(toSqlError(e, script)))),
        });
        const result = await fn(tx);
        // PGlite, like PostgreSQL, turns COMMIT of a failed transaction into a silent ROLLBACK.
        if (scope.failed && (await isAborted(raw))) throw swallowedFailureError();
        return result;
      }),
    );
  }

  /** The data directory as a tarball; `Blob` is what `loadDataDir` takes back. */
  async dump(): Promise<Blob> {
    this.assertUsable('dump');
    return this.pglite.dumpDataDir('none');
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        if (!this.pglite.closed) await this.pglite.close();
      } finally {
        await this.lock?.release();
      }
    })();
    return this.closing;
  }

  private assertUsable(operation: string): void {
    if (this.closing) throw new StoreError('internal', `db.${operation}() was called after db.close()`);
    this.guard.assertOutside(operation);
  }
}

async function isAborted(tx: Transaction): Promise<boolean> {
  try {
    await tx.query('select 1');
    return false;
  } catch (e) {
    return (e as { code?: string }).code === '25P02';
  }
}
