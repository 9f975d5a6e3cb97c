/**
 * Where a request to PGlite's thread spends its time, for a benchmark to explain its slow ones (bench:notify
 * `--trace`): sent by the coordinator's thread → read by PGlite's → started (its lane's turn) → ended → its answer
 * read back. Off unless SLIPWAY_PGLITE_TRACE=1 is in the environment when the store opens: each request then costs a
 * few timestamps and one record on each side, which a coordinator in service should not pay.
 */
import type { Lane } from './statement-lanes.js';

export const tracingPglite = (): boolean => process.env.SLIPWAY_PGLITE_TRACE === '1';

/** Now on a clock both threads share (ms). */
export const sharedNow = (): number => performance.timeOrigin + performance.now();

/** Times taken in PGlite's thread, on the shared clock. */
export interface ThreadTimes {
  read: number;
  start: number;
  end: number;
}

export interface TracedRequest extends ThreadTimes {
  lane: Lane | 'transaction';
  /** The statement's SQL, whitespace folded, cut at 60 characters (or the operation: begin, commit, dump). */
  what: string;
  sent: number;
  settled: number;
}

/** Every traced request since the last take, in the order their answers came back. */
const traced: TracedRequest[] = [];
/** A benchmark takes them every run; one that never does keeps the last 100,000–200,000. */
const most = 200_000;

export function recordTraced(request: TracedRequest): void {
  // The older half goes at once: one at a time would move the whole array on every request once full.
  if (traced.length >= most) traced.splice(0, most / 2);
  traced.push(request);
}

/** The requests traced since the last call, and forget them. */
export function takeTraced(): TracedRequest[] {
  return traced.splice(0, traced.length);
}

export const shortSql = (sql: string): string => sql.replace(/\s+/g, ' ').trim().slice(0, 60);
