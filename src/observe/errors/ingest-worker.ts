import { parentPort } from 'node:worker_threads';
import { messageOf } from '../../shared/errors.js';
import { IngestError } from './ingest-error.js';
import { type BodyToRead, readBody } from './read-body.js';

/** A job for an ingest worker: a body to read, numbered so the answer finds its request. */
export interface WorkerJob extends Omit<BodyToRead, 'body'> {
  id: number;
  /** Moved to the thread (a transfer list), so a plain Uint8Array there. */
  body: Uint8Array;
}

/** What a worker answers: the accepted envelope, the client's mistake (4xx), or a bug (5xx). */
export type WorkerAnswer =
  | { id: number; accepted: ReturnType<typeof readBody> }
  | { id: number; refused: { status: IngestError['status']; message: string; retryAfter?: number } }
  | { id: number; failed: string };

// Entry point of an ingest worker thread (ingest-workers.ts starts it); structured clone carries the
// messages, so a Buffer arrives as a Uint8Array.
parentPort?.on('message', (job: WorkerJob) => {
  let answer: WorkerAnswer;
  const moved: ArrayBuffer[] = [];
  try {
    const body = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength);
    const accepted = readBody({ ...job, body });
    // Payloads go back moved, not cloned: each in a buffer of its own (a Buffer may be a view of a shared pool).
    for (const e of accepted.events) {
      const own = new Uint8Array(e.payload);
      moved.push(own.buffer);
      e.payload = own as Buffer;
    }
    answer = { id: job.id, accepted };
  } catch (e) {
    answer =
      e instanceof IngestError
        ? { id: job.id, refused: { status: e.status, message: e.message, retryAfter: e.retryAfter } }
        : { id: job.id, failed: messageOf(e) };
  }
  parentPort!.postMessage(answer, moved);
});
