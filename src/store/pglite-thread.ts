/**
 * PGlite in a worker thread (pglite-worker.ts), behind the part of PGlite's API the driver uses (query, exec,
 * transaction, dumpDataDir, close), so PgliteDb, its lanes and its transaction guard work the same on both.
 * Values cross the thread by structured clone: Dates stay Dates, a Buffer arrives as a Uint8Array (bytea is made a
 * Buffer again, as the driver contract wants); errors carry the fields toSqlError reads.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { StoreError } from './errors.js';
import type { ThreadAnswer, ThreadError, ThreadRequest, ThreadStart } from './pglite-worker.js';

type Ask = ThreadRequest extends infer R ? (R extends ThreadRequest ? Omit<R, 'id'> : never) : never;

/** What PgliteDb needs of a PGlite: the in-process one has it, and so does this. */
export interface PgliteStatements {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[]; affectedRows?: number }>;
  exec(script: string): Promise<unknown>;
}

export interface PgliteLike extends PgliteStatements {
  transaction<T>(fn: (tx: PgliteStatements) => Promise<T>): Promise<T>;
  dumpDataDir(compression: 'none'): Promise<Blob>;
  close(): Promise<void>;
  readonly closed: boolean;
}

/**
 * The worker: the built JavaScript, or in a source checkout (tests, benchmarks) the TypeScript through tsx's API
 * (on Node 20 a worker does not take `--import tsx` from execArgv).
 */
function startWorker(start: ThreadStart): Worker {
  const transferList = start.loadDataDir ? [start.loadDataDir] : [];
  const js = new URL('./pglite-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js, { workerData: start, transferList });
  const ts = JSON.stringify(new URL('./pglite-worker.ts', import.meta.url).href);
  const api = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  return new Worker(`import(${api}).then(({ tsImport }) => tsImport(${ts}, ${ts}))`, {
    eval: true,
    workerData: start,
    transferList,
  });
}

/** A Uint8Array that was a Buffer before the clone (bytea), as a Buffer again; arrays of them too. */
function revive(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value) && value.some((v) => v instanceof Uint8Array || Array.isArray(v))) return value.map(revive);
  return value;
}

function reviveRows<T>(rows: Record<string, unknown>[]): T[] {
  for (const row of rows) for (const key in row) if (typeof row[key] === 'object') row[key] = revive(row[key]);
  return rows as T[];
}

function toError(e: ThreadError): Error {
  return Object.assign(new Error(e.message), e);
}

export class ThreadedPglite implements PgliteLike {
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  private nextId = 1;
  private failure: Error | undefined;
  private ended = false;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (a: ThreadAnswer) => this.settle(a));
    worker.on('error', (e) => this.fail(e));
    worker.on('exit', (code) => this.fail(new Error(`the PGlite thread exited (code ${code})`)));
    // Only a request in flight keeps the process alive, as PGlite on the main thread does.
    worker.unref();
  }

  /** Start the thread and PGlite in it; rejects with PGlite's error when it cannot open the database. */
  static async start(dataDir: string | undefined, loadDataDir: Blob | undefined): Promise<ThreadedPglite> {
    const bytes = loadDataDir ? await loadDataDir.arrayBuffer() : undefined;
    const thread = new ThreadedPglite(startWorker({ ...(dataDir ? { dataDir } : {}), loadDataDir: bytes }));
    thread.worker.ref();
    try {
      await new Promise((resolve, reject) => thread.waiting.set(0, { resolve, reject }));
    } catch (e) {
      await thread.worker.terminate();
      throw e;
    } finally {
      thread.worker.unref();
    }
    return thread;
  }

  get closed(): boolean {
    return this.ended;
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<{ rows: T[]; affectedRows?: number }> {
    const r = (await this.ask({ op: 'query', sql, params })) as {
      rows: Record<string, unknown>[];
      affectedRows?: number;
    };
    return { rows: reviveRows<T>(r.rows), affectedRows: r.affectedRows };
  }

  async exec(script: string): Promise<void> {
    await this.ask({ op: 'exec', sql: script });
  }

  /** The statements of `fn` go to the thread's open transaction; it commits when `fn` resolves. */
  async transaction<T>(fn: (tx: PgliteStatements) => Promise<T>): Promise<T> {
    await this.ask({ op: 'begin' });
    let result: T;
    try {
      result = await fn({
        query: async <R>(sql: string, params: unknown[] = []) => {
          const r = (await this.ask({ op: 'query', sql, params, tx: true })) as {
            rows: Record<string, unknown>[];
            affectedRows?: number;
          };
          return { rows: reviveRows<R>(r.rows), affectedRows: r.affectedRows };
        },
        exec: (script: string) => this.ask({ op: 'exec', sql: script, tx: true }),
      });
    } catch (e) {
      await this.ask({ op: 'rollback', tx: true }).catch(() => undefined);
      throw e;
    }
    await this.ask({ op: 'commit', tx: true });
    return result;
  }

  async dumpDataDir(_compression: 'none'): Promise<Blob> {
    return new Blob([(await this.ask({ op: 'dump' })) as ArrayBuffer]);
  }

  async close(): Promise<void> {
    if (this.ended) return;
    try {
      if (!this.failure) await this.ask({ op: 'close' });
    } finally {
      this.ended = true;
      await this.worker.terminate();
    }
  }

  private ask(request: Ask): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended) return Promise.reject(new StoreError('internal', 'the PGlite thread is closed'));
    const id = this.nextId++;
    if (this.waiting.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id } as ThreadRequest);
    });
  }

  private settle(a: ThreadAnswer): void {
    const waiter = this.waiting.get(a.id);
    if (!waiter) return;
    this.waiting.delete(a.id);
    if (this.waiting.size === 0) this.worker.unref();
    if (a.error) waiter.reject(toError(a.error));
    else waiter.resolve(a.result);
  }

  private fail(e: Error): void {
    if (this.ended) return;
    this.failure ??= new StoreError('unavailable', `the PGlite thread stopped: ${e.message}`, {}, { cause: e });
    for (const w of this.waiting.values()) w.reject(this.failure);
    this.waiting.clear();
  }
}
