import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Logger } from '../shared/logging.js';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.js';
import type { Db, Queryable, QueryResult } from './db.js';
import { StoreError } from './errors.js';
import { turnIfBusy } from './event-loop-turns.js';
import { ensureParentDir, ensurePgliteDataDir, reasonOf } from './pglite-data-dir.js';
import { preparedPglite } from './pglite-prepared.js';
import { type PgliteLike, type PgliteStatements, ThreadedPglite } from './pglite-thread.js';
import { toSqlError } from './sql-errors.js';
import { type Lane, StatementLanes } from './statement-lanes.js';
import { TransactionGuard, guardTransaction, swallowedFailureError } from './transaction-guard.js';
import { installPgliteArrayParsers, pgliteParsers } from './type-parsers.js';

/** Where the PGlite database lives: a data directory (created when missing), or memory. */
export interface PgliteOptions {
  /** Undefined: an in-memory database, gone on close. */
  dataDir?: string;
  /** A `dumpDataDir()` tarball to start from when the database is new (test templates). */
  loadDataDir?: Blob;
  logger?: Logger;
  /**
   * Run PGlite in a worker thread (pglite-thread.ts) rather than on the caller's event loop. The coordinator's
   * store does (open.ts): there a statement no longer holds up HTTP, timers and deployment steps. Off by default
   * for the many short-lived test databases, where a thread (and PGlite's WebAssembly compiled again in it) per
   * database is only a cost.
   */
  thread?: boolean;
}

/**
 * Open PGlite (PostgreSQL compiled to WASM, in this process). A data directory is locked for
 * this process until `close()`; a second opener gets a StoreError naming the holder's pid.
 * Example: `const db = await openPglite({ dataDir: '/var/lib/slipway/db' })`
 */
export async function openPglite(options: PgliteOptions = {}): Promise<Db> {
  if (options.loadDataDir) await assertTarball(options.loadDataDir);
  const thread = options.thread ?? false;
  if (options.dataDir === undefined)
    return PgliteDb.open(await start(undefined, thread, options.loadDataDir), undefined);
  const dataDir = resolve(options.dataDir);
  await ensureParentDir(dataDir);
  const lock = await acquireDataDirLock(dataDir);
  try {
    const started = Date.now();
    const created = await ensurePgliteDataDir(dataDir, options.loadDataDir);
    if (created !== 'existing')
      options.logger?.info(
        { dataDir, ms: Date.now() - started, fromTemplate: created === 'copied' },
        'created a PGlite database',
      );
    return PgliteDb.open(await start(dataDir, thread), lock);
  } catch (e) {
    await lock.release();
    throw e;
  }
}

async function start(dataDir: string | undefined, thread: boolean, loadDataDir?: Blob): Promise<Opened> {
  try {
    if (thread) return { pglite: await ThreadedPglite.start(dataDir, loadDataDir), inProcess: false };
    const pglite = new PGlite({
      parsers: pgliteParsers,
      ...(dataDir ? { dataDir } : {}),
      ...(loadDataDir ? { loadDataDir } : {}),
    });
    await pglite.waitReady;
    await installPgliteArrayParsers(pglite);
    return { pglite: preparedPglite(pglite), inProcess: true };
  } catch (e) {
    throw new StoreError(
      'unavailable',
      `cannot open the PGlite database ${dataDir ? `in ${dataDir}` : 'in memory'}: ${reasonOf(e)}`,
      { dataDir },
      { cause: e },
    );
  }
}

/** An in-memory PGlite that outlives the Db views it hands out (openReusablePglite). */
export interface ReusablePglite {
  /** A new Db on this PGlite; its close() calls `detach` and leaves PGlite open. */
  view(detach: () => Promise<void>): Db;
  /** Close PGlite itself. */
  close(): Promise<void>;
}

/**
 * For tests: an in-memory PGlite started from `loadDataDir` whose Db views close without closing it, so that test
 * support can reset the data and hand it out again. Starting PGlite costs ~1.7 s of CPU (postgres booting in
 * WebAssembly; a quarter to a third of it in memset), far more than a reset. Nothing here resets anything: the caller
 * does. Not for a coordinator's store.
 */
export async function openReusablePglite(loadDataDir: Blob): Promise<ReusablePglite> {
  await assertTarball(loadDataDir);
  const opened = await start(undefined, false, loadDataDir);
  return {
    view: (detach) => PgliteDb.open(opened, undefined, detach),
    close: async () => {
      if (!opened.pglite.closed) await opened.pglite.close();
    },
  };
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

/** A PGlite, and whether its statements run on this thread's event loop. */
interface Opened {
  pglite: PgliteLike;
  inProcess: boolean;
}

async function runQuery<T>(
  on: PgliteStatements,
  inProcess: boolean,
  sql: string,
  params: unknown[] | undefined,
): Promise<QueryResult<T>> {
  // Statements in this process resolve on microtasks: without this a burst of them holds off every timer and socket.
  const turn = inProcess ? turnIfBusy() : undefined;
  if (turn) await turn;
  // PGlite's errors carry the statement's parameters: never let them travel (they end up in logs).
  const result = await on.query<T>(sql, params ?? []).catch((e: unknown) => Promise.reject(toSqlError(e, sql)));
  // PGlite counts only affected rows; pg's rowCount is the rows returned by a SELECT too.
  return { rows: result.rows, rowCount: Math.max(result.affectedRows ?? 0, result.rows.length) };
}

/** What every lane's view of one PGlite database shares. */
interface PgliteCore {
  readonly pglite: PgliteLike;
  readonly inProcess: boolean;
  readonly lock: DataDirLock | undefined;
  readonly guard: TransactionGuard;
  readonly lanes: StatementLanes;
  /** The views of the lanes other than the first one opened (PgliteDb.view). */
  readonly views: Map<Lane, PgliteDb>;
  closing: Promise<void> | undefined;
  /** A reusable database's view (openReusablePglite): what close() does instead of closing PGlite. */
  readonly detach?: () => Promise<void>;
}

class PgliteDb implements Db {
  readonly driver = 'pglite' as const;

  constructor(
    private readonly core: PgliteCore,
    private readonly lane: Lane,
  ) {}

  static open({ pglite, inProcess }: Opened, lock: DataDirLock | undefined, detach?: () => Promise<void>): PgliteDb {
    const core = {
      pglite,
      inProcess,
      lock,
      guard: new TransactionGuard(),
      lanes: new StatementLanes(),
      views: new Map<Lane, PgliteDb>(),
      closing: undefined,
      detach,
    };
    return new PgliteDb(core, 'foreground');
  }

  /**
   * Run `operation` in this view's lane. In process the lanes order operations here, one at a time; a PGlite in a
   * thread orders them itself by the lane each request carries (pglite-thread.ts).
   */
  private inLane<T>(operation: (pglite: PgliteLike) => Promise<T>): Promise<T> {
    const { pglite, lanes } = this.core;
    if (pglite.inLane) return operation(pglite.inLane(this.lane));
    return lanes.run(this.lane, () => operation(pglite));
  }

  async query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
    this.assertUsable('query');
    return this.inLane((pglite) => runQuery<T>(pglite, this.core.inProcess, sql, params));
  }

  async exec(script: string): Promise<void> {
    this.assertUsable('exec');
    return this.inLane(async (pglite) => {
      if (this.core.inProcess) await turnIfBusy();
      await pglite.exec(script).catch((e: unknown) => Promise.reject(toSqlError(e, script)));
    });
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    this.assertUsable('transaction');
    const { guard, inProcess } = this.core;
    // The transaction holds the store for its lane until it commits: its own statements go straight to PGlite.
    return this.inLane((pglite) =>
      pglite.transaction((raw) =>
        guard.run(async (scope) => {
          const tx = guardTransaction(scope, {
            query: <R>(sql: string, params?: unknown[]) => runQuery<R>(raw, inProcess, sql, params),
            exec: async (script: string) =>
              void (await raw.exec(script).catch((e: unknown) => Promise.reject(toSqlError(e, script)))),
          });
          const result = await fn(tx);
          // PGlite, like PostgreSQL, turns COMMIT of a failed transaction into a silent ROLLBACK.
          if (scope.failed && (await isAborted(raw))) throw swallowedFailureError();
          return result;
        }),
      ),
    );
  }

  background(): Db {
    return this.view('background');
  }

  deploymentWriteDue(inMs: number): void {
    if (!this.core.closing) this.core.pglite.deploymentWriteDue?.(inMs);
  }

  deployment(): Db {
    return this.view('deployment');
  }

  /** This database in `lane` (one view per lane, made once). */
  private view(lane: Lane): PgliteDb {
    if (lane === this.lane) return this;
    let view = this.core.views.get(lane);
    if (!view) {
      view = new PgliteDb(this.core, lane);
      this.core.views.set(lane, view);
    }
    return view;
  }

  /** The data directory as a tarball; `Blob` is what `loadDataDir` takes back. */
  async dump(): Promise<Blob> {
    this.assertUsable('dump');
    return this.inLane((pglite) => pglite.dumpDataDir('none'));
  }

  close(): Promise<void> {
    const core = this.core;
    core.closing ??= (async () => {
      if (core.detach) return core.detach();
      try {
        if (!core.pglite.closed) await core.pglite.close();
      } finally {
        await core.lock?.release();
      }
    })();
    return core.closing;
  }

  private assertUsable(operation: string): void {
    if (this.core.closing) throw new StoreError('internal', `db.${operation}() was called after db.close()`);
    this.core.guard.assertOutside(operation);
  }
}

async function isAborted(tx: PgliteStatements): Promise<boolean> {
  try {
    await tx.query('select 1');
    return false;
  } catch (e) {
    return (e as { code?: string }).code === '25P02';
  }
}
