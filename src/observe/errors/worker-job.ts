import { messageOf } from '../../shared/errors.js';
import { IngestError } from './ingest-error.js';
import { type BodyToRead, readBody } from './read-body.js';

/** A job for an ingest worker: a body to read, numbered so the answer finds its request. */
export interface WorkerJob extends Omit<BodyToRead, 'body'> {
  id: number;
  /** Moved to the thread (a transfer list), so a plain Uint8Array there, the only view of its ArrayBuffer. */
  body: Uint8Array<ArrayBuffer>;
}

/** What a worker answers: the accepted envelope, the client's mistake (4xx), or a bug (5xx). */
export type WorkerAnswer =
  | { id: number; accepted: ReturnType<typeof readBody> }
  | { id: number; refused: { status: IngestError['status']; message: string; retryAfter?: number } }
  | { id: number; failed: string };

/**
 * Read one job; the ArrayBuffers its answer can move back go into `moved`. A payload that is the SDK's body itself
 * (one event, gzip: accepted.ts) goes back in the very buffer that came, with no copy; any other payload is copied
 * into a buffer of its own (a Buffer may be a view of a shared pool, which must not be moved).
 */
export function answerJob(job: WorkerJob, moved: Set<ArrayBuffer>): WorkerAnswer {
  try {
    const body = Buffer.from(job.body.buffer, job.body.byteOffset, job.body.byteLength);
    const accepted = readBody({ ...job, body });
    for (const e of accepted.events) {
      if (e.payload.buffer === job.body.buffer) moved.add(job.body.buffer);
      else {
        const own = new Uint8Array(e.payload);
        moved.add(own.buffer);
        e.payload = own as Buffer;
      }
    }
    return { id: job.id, accepted };
  } catch (e) {
    return e instanceof IngestError
      ? { id: job.id, refused: { status: e.status, message: e.message, retryAfter: e.retryAfter } }
      : { id: job.id, failed: messageOf(e) };
  }
}
