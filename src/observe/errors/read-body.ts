import { type Accepted, acceptEnvelope, acceptStoredEvent } from './accepted.js';
import { parseEnvelope } from './envelope.js';
import { decodeBody } from './request-body.js';

/** One request's body to read, and where its events belong (from the DSN key). */
export interface BodyToRead {
  body: Buffer;
  encoding: string | undefined;
  /** An envelope (`/envelope/`), or one event (the legacy `/store/`). */
  kind: 'envelope' | 'store';
  project: string;
  environment: string;
}

const gzipCodings = new Set(['gzip', 'x-gzip']);

/**
 * Decompress, parse, validate and group a body, all of it or nothing (an IngestError names what is
 * wrong): the CPU of an ingest request, which runs in an ingest worker thread (ingest-worker.ts).
 */
export function readBody(r: BodyToRead): Accepted {
  const bytes = decodeBody(r.body, r.encoding);
  const target = { project: r.project, environment: r.environment };
  if (r.kind === 'store') return acceptStoredEvent(target, bytes);
  const gzipped = gzipCodings.has((r.encoding ?? '').trim().toLowerCase());
  return acceptEnvelope(target, parseEnvelope(bytes), gzipped ? r.body : undefined);
}
