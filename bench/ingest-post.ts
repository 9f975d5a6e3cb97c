import type { Pool } from 'undici';
import { dispatchStatus } from './dispatch-status.js';

const headers = { 'content-type': 'application/x-sentry-envelope', 'content-encoding': 'gzip' };

/** POST one gzip envelope; resolves with the answer's status once its body is read. */
export function postEnvelope(pool: Pool, path: string, body: Buffer): Promise<number> {
  return dispatchStatus(pool, { method: 'POST', path, headers, body });
}
