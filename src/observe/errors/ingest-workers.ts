import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startThreadModule } from '../../shared/thread-module.js';
import type { Accepted } from './accepted.js';
import { IngestError } from './ingest-error.js';
import type { WorkerAnswer, WorkerJob } from './worker-job.js';
import { type BodyToRead, readBody } from './read-body.js';

interface Job {
  resolve: (a: Accepted) => void;
  reject: (e: Error) => void;
  bytes: number;
  thread: Thread;
}
interface Thread {
  worker: Worker;
  busy: number;
  /** Jobs of this turn of the event loop, posted together at its end (flush). */
  pending: WorkerJob[];
  moving: ArrayBuffer[];
}

/** Threads by default: the cores but one, which the event loop (HTTP, the store's statements) keeps. */
export const defaultIngestThreads = Math.max(1, Math.min(4, availableParallelism() - 1));

/** A thread running ingest-worker. */
const startWorker = (): Worker => startThreadModule(import.meta.url, 'ingest-worker');

/**
 * Reads request bodies (decompress, parse, validate, group: readBody) in worker threads, so the event
 * loop only answers requests and stores batches. Measured with bench:ingest: reading was most of the
 * loop's time per event. With `threads: 0` bodies are read on the event loop (a comparison, tests).
 * Bodies waiting for a thread are bounded in bytes: past that, a 429 asks the SDK to come back.
 * The bodies of one turn of the event loop go to a thread in one message, and come back in one: a message wakes
 * the thread it goes to, and on two busy cores that wake-up cost more than the reading (ingest-worker.ts).
 */
export class IngestWorkers {
  private readonly threads: Thread[] = [];
  private readonly jobs = new Map<number, Job>();
  private nextId = 1;
  private waitingBytes = 0;
  private closed = false;

  constructor(
    private readonly size = defaultIngestThreads,
    private readonly maxWaitingBytes = 32 * 1024 * 1024,
  ) {}

  /** The body read into what the queue takes; an IngestError (4xx) when it is malformed or too large. */
  async read(r: BodyToRead, movable = false): Promise<Accepted> {
    if (this.size === 0) return readBody(r);
    if (this.closed) throw new IngestError(429, 'the coordinator is stopping; retry later', 5);
    if (this.waitingBytes + r.body.length > this.maxWaitingBytes)
      throw new IngestError(429, 'the coordinator is reading more bodies than it keeps up with; retry later', 1);
    const thread = this.leastBusy();
    const id = this.nextId++;
    // Moved to the thread rather than cloned: the caller's own buffer when it gives it up (`movable`, and the whole of
    // its ArrayBuffer), else a copy, so the request keeps its body (the forwarder relays it).
    const whole =
      movable &&
      r.body.buffer instanceof ArrayBuffer &&
      r.body.byteOffset === 0 &&
      r.body.byteLength === r.body.buffer.byteLength;
    const body = whole ? new Uint8Array(r.body.buffer as ArrayBuffer) : new Uint8Array(r.body);
    const job: WorkerJob = { ...r, id, body };
    return new Promise<Accepted>((resolve, reject) => {
      this.jobs.set(id, { resolve, reject, bytes: r.body.length, thread });
      this.waitingBytes += r.body.length;
      if (thread.busy++ === 0) thread.worker.ref();
      if (thread.pending.push(job) === 1) setImmediate(() => this.flush(thread));
      thread.moving.push(body.buffer);
    });
  }

  /** Post a thread's pending jobs as one message (their bodies moved, not cloned). */
  private flush(thread: Thread): void {
    const jobs = thread.pending.splice(0);
    const moving = thread.moving.splice(0);
    if (jobs.length > 0 && this.threads.includes(thread)) thread.worker.postMessage(jobs, moving);
  }

  /** Stop the threads; bodies still being read are refused (429). Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const threads = this.threads.splice(0);
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  private leastBusy(): Thread {
    if (this.threads.length < this.size) return this.start();
    let best = this.threads[0]!;
    for (const t of this.threads) if (t.busy < best.busy) best = t;
    return best;
  }

  private start(): Thread {
    const thread: Thread = { worker: startWorker(), busy: 0, pending: [], moving: [] };
    // Idle threads never keep the process alive; one reading a body does until it answers.
    thread.worker.unref();
    thread.worker.on('message', (answers: WorkerAnswer[]) => {
      for (const a of answers) this.answer(a);
    });
    thread.worker.on('error', (e) => this.lost(thread, e.message));
    thread.worker.on('exit', (code) => this.lost(thread, `exited with code ${code}`));
    this.threads.push(thread);
    return thread;
  }

  private settle(id: number): Job | undefined {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    this.jobs.delete(id);
    this.waitingBytes -= job.bytes;
    if (--job.thread.busy === 0) job.thread.worker.unref();
    return job;
  }

  private answer(a: WorkerAnswer): void {
    const job = this.settle(a.id);
    if (!job) return;
    if ('accepted' in a) job.resolve(revived(a.accepted));
    else if ('refused' in a) job.reject(new IngestError(a.refused.status, a.refused.message, a.refused.retryAfter));
    else job.reject(new Error(`an ingest worker failed to read a body: ${a.failed}`));
  }

  /** A thread that died (a bug, or out of memory): its bodies fail, and the next read starts a new one. */
  private lost(thread: Thread, why: string): void {
    const at = this.threads.indexOf(thread);
    if (at >= 0) this.threads.splice(at, 1);
    thread.pending.length = 0;
    thread.moving.length = 0;
    for (const [id, job] of [...this.jobs]) {
      if (job.thread !== thread) continue;
      this.settle(id);
      job.reject(
        this.closed
          ? new IngestError(429, 'the coordinator is stopping; retry later', 5)
          : new Error(`an ingest worker stopped while reading a body: ${why}`),
      );
    }
  }
}

/** Structured clone turns Buffers into Uint8Arrays: wrap the payloads again (no copy). */
function revived(a: Accepted): Accepted {
  for (const e of a.events) {
    const bytes: Uint8Array = e.payload;
    if (!Buffer.isBuffer(bytes)) e.payload = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  return a;
}
