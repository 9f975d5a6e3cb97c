/**
 * PGlite in a worker thread (pglite-worker.ts), behind the part of PGlite's API the driver uses (query, exec,
 * transaction, dumpDataDir, close), so PgliteDb, its lanes and its transaction guard work the same on both.
 * Values cross the thread by structured clone: Dates stay Dates, a Buffer arrives as a Uint8Array (bytea is made a
 * Buffer again, as the driver contract wants); errors carry the fields toSqlError reads.
 */
import type { Worker } from 'node:worker_threads';
import { startThreadModule } from '../shared/thread-module.js';
import { StoreError } from './errors.js';
import { recordTraced, sharedNow, shortSql, type TracedRequest, tracingPglite } from './pglite-trace.js';
import type { ThreadAnswer, ThreadError, ThreadNotice, ThreadRequest, ThreadStart } from './pglite-worker.js';
import type { Lane } from './statement-lanes.js';

type Ask = ThreadRequest extends infer R ? (R extends ThreadRequest ? Omit<R, 'id'> : never) : never;

/** What PgliteDb needs of a PGlite: the in-process one has it, and so does this. */
export interface PgliteStatements {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[]; affectedRows?: number }>;
  exec(script: string): Promise<unknown>;
}

export interface PgliteLike extends PgliteStatements {
  /** A view whose requests the database orders by lane itself (the thread); absent: order them in this process. */
  inLane?(lane: Lane): PgliteLike;
  /** A running deployment will write in `inMs` (the thread); absent: nothing gives way to it. */
  deploymentWriteDue?(inMs: number): void;
  transaction<T>(fn: (tx: PgliteStatements) => Promise<T>): Promise<T>;
  dumpDataDir(compression: 'none'): Promise<Blob>;
  close(): Promise<void>;
  readonly closed: boolean;
}

/** The thread running pglite-worker, started with `start`. */
function startWorker(start: ThreadStart): Worker {
  const transferList = start.loadDataDir ? [start.loadDataDir] : [];
  return startThreadModule(import.meta.url, 'pglite-worker', { workerData: start, transferList });
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

/** The thread and the requests waiting for its answer, shared by every lane's view of it. */
class Channel {
  readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  private nextId = 1;
  private failure: Error | undefined;
  /** Requests in flight with what the trace records of them, while SLIPWAY_PGLITE_TRACE=1 (pglite-trace.ts). */
  private readonly traced = tracingPglite()
    ? new Map<number, Pick<TracedRequest, 'lane' | 'what' | 'sent'>>()
    : undefined;
  ended = false;

  constructor(readonly worker: Worker) {
    worker.on('message', (a: ThreadAnswer) => this.settle(a));
    worker.on('error', (e) => this.fail(e));
    worker.on('exit', (code) => this.fail(new Error(`the PGlite thread exited (code ${code})`)));
    // Only a request in flight keeps the process alive, as PGlite on the main thread does.
    worker.unref();
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  ask(request: Ask): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended) return Promise.reject(new StoreError('internal', 'the PGlite thread is closed'));
    const id = this.nextId++;
    if (this.waiting.size === 0) this.worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.traced?.set(id, {
        lane: 'tx' in request && request.tx ? 'transaction' : ('lane' in request && request.lane) || 'foreground',
        what: 'sql' in request ? shortSql(request.sql) : request.op,
        sent: sharedNow(),
      });
      this.worker.postMessage({ ...request, id } as ThreadRequest);
    });
  }

  /** Tell the thread something that needs no answer; dropped once the thread has failed or is closed. */
  tell(notice: ThreadNotice): void {
    if (!this.failure && !this.ended) this.worker.postMessage(notice);
  }

  private settle(a: ThreadAnswer): void {
    const waiter = this.waiting.get(a.id);
    if (!waiter) return;
    this.waiting.delete(a.id);
    const traced = this.traced?.get(a.id);
    if (traced && a.t) recordTraced({ ...traced, ...a.t, settled: sharedNow() });
    this.traced?.delete(a.id);
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

/**
 * PGlite in its thread, as seen from one lane. Every request is sent at once with its lane, and the thread
 * orders them (foreground first, pglite-worker.ts): the next statement is already there when one ends. Ordering
 * them here instead, one in flight at a time, left the thread idle for every answer's trip through this thread's
 * event loop, and a deployment step's statements waited for those trips too (bench:notify).
 */
export class ThreadedPglite implements PgliteLike {
  private constructor(
    private readonly channel: Channel,
    private readonly lane: Lane,
  ) {}

  /** Start the thread and PGlite in it; rejects with PGlite's error when it cannot open the database. */
  static async start(dataDir: string | undefined, loadDataDir: Blob | undefined): Promise<ThreadedPglite> {
    const bytes = loadDataDir ? await loadDataDir.arrayBuffer() : undefined;
    const channel = new Channel(startWorker({ ...(dataDir ? { dataDir } : {}), loadDataDir: bytes }));
    channel.worker.ref();
    try {
      await new Promise((resolve, reject) => channel.waiting.set(0, { resolve, reject }));
    } catch (e) {
      await channel.worker.terminate();
      throw e;
    } finally {
      channel.worker.unref();
    }
    return new ThreadedPglite(channel, 'foreground');
  }

  /** The same thread, its requests sent in `lane`. */
  inLane(lane: Lane): ThreadedPglite {
    return lane === this.lane ? this : new ThreadedPglite(this.channel, lane);
  }

  get closed(): boolean {
    return this.channel.ended;
  }

  deploymentWriteDue(inMs: number): void {
    this.channel.tell({ op: 'due', at: performance.timeOrigin + performance.now() + inMs });
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<{ rows: T[]; affectedRows?: number }> {
    const r = (await this.channel.ask({ op: 'query', sql, params, lane: this.lane })) as {
      rows: Record<string, unknown>[];
      affectedRows?: number;
    };
    return { rows: reviveRows<T>(r.rows), affectedRows: r.affectedRows };
  }

  async exec(script: string): Promise<void> {
    await this.channel.ask({ op: 'exec', sql: script, lane: this.lane });
  }

  /** The statements of `fn` go to the thread's open transaction; it commits when `fn` resolves. */
  async transaction<T>(fn: (tx: PgliteStatements) => Promise<T>): Promise<T> {
    const channel = this.channel;
    await channel.ask({ op: 'begin', lane: this.lane });
    let result: T;
    try {
      result = await fn({
        query: async <R>(sql: string, params: unknown[] = []) => {
          const r = (await channel.ask({ op: 'query', sql, params, tx: true })) as {
            rows: Record<string, unknown>[];
            affectedRows?: number;
          };
          return { rows: reviveRows<R>(r.rows), affectedRows: r.affectedRows };
        },
        exec: (script: string) => channel.ask({ op: 'exec', sql: script, tx: true }),
      });
    } catch (e) {
      await channel.ask({ op: 'rollback', tx: true }).catch(() => undefined);
      throw e;
    }
    await channel.ask({ op: 'commit', tx: true });
    return result;
  }

  async dumpDataDir(_compression: 'none'): Promise<Blob> {
    return new Blob([(await this.channel.ask({ op: 'dump', lane: this.lane })) as ArrayBuffer]);
  }

  async close(): Promise<void> {
    const channel = this.channel;
    if (channel.ended) return;
    try {
      if (!channel.failed) await channel.ask({ op: 'close' });
    } finally {
      channel.ended = true;
      await channel.worker.terminate();
    }
  }
}
