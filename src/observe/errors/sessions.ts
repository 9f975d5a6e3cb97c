import { createHash } from 'node:crypto';
import { escapeUnstorable } from '../../shared/storable-text.js';
import { IngestError } from './ingest-error.js';

/** Sessions of one release and hour, counted from `session` updates or `sessions` aggregates. */
export interface SessionTally {
  release: string;
  /** Start of the hour, ms. */
  bucket: number;
  sessions: number;
  errored: number;
  crashed: number;
  abnormal: number;
  /** Hashed distinct ids seen, with whether one of their sessions crashed. */
  users: Map<string, boolean>;
}

const hour = 3_600_000;

function json(bytes: Buffer, where: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new IngestError(400, `${where}: not valid JSON (${(e as Error).message})`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new IngestError(400, `${where}: expected a JSON object`);
  return v as Record<string, unknown>;
}

function bucketOf(raw: unknown): number {
  const at = typeof raw === 'string' ? Date.parse(raw) : typeof raw === 'number' ? raw * 1000 : Date.now();
  const t = Number.isFinite(at) ? at : Date.now();
  return Math.floor(t / hour) * hour;
}

function releaseOf(attrs: unknown, where: string): string {
  const release = (attrs as { release?: unknown } | undefined)?.release;
  if (typeof release !== 'string' || release === '')
    throw new IngestError(400, `${where}.attrs.release: required (a session belongs to a release)`);
  return escapeUnstorable(release.slice(0, 200));
}

const count = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : 0);
const hashOf = (did: unknown) =>
  typeof did === 'string' && did !== '' ? createHash('sha256').update(did).digest('hex').slice(0, 32) : undefined;

function tally(release: string, bucket: number): SessionTally {
  return { release, bucket, sessions: 0, errored: 0, crashed: 0, abnormal: 0, users: new Map() };
}

/**
 * A `session` item (one session's update, https://develop.sentry.dev/sdk/telemetry/sessions/):
 * counted as a session when `init` is true, as crashed or abnormal when it ends so. Errored is
 * counted on the update that ends the session, so a session is counted once per outcome.
 */
export function readSessionUpdate(bytes: Buffer): SessionTally {
  const s = json(bytes, 'session');
  const t = tally(releaseOf(s.attrs, 'session'), bucketOf(s.started));
  const status = s.status;
  if (status !== undefined && !['ok', 'exited', 'crashed', 'abnormal', 'errored'].includes(String(status)))
    throw new IngestError(
      400,
      `session.status: "${String(status).slice(0, 40)}" is not ok, exited, crashed or abnormal`,
    );
  if (s.init === true) t.sessions = 1;
  const ended = status === 'exited' || status === 'crashed' || status === 'abnormal';
  if (status === 'crashed') t.crashed = 1;
  if (status === 'abnormal') t.abnormal = 1;
  if (ended && (count(s.errors) > 0 || status === 'crashed')) t.errored = 1;
  const user = hashOf(s.did);
  if (user) t.users.set(user, status === 'crashed');
  return t;
}

/** A `sessions` item: aggregates per started minute (request-mode SDKs on servers). */
export function readSessionAggregates(bytes: Buffer): SessionTally[] {
  const s = json(bytes, 'sessions');
  const release = releaseOf(s.attrs, 'sessions');
  if (!Array.isArray(s.aggregates)) throw new IngestError(400, 'sessions.aggregates: expected an array');
  return s.aggregates.map((a: unknown, i: number) => {
    if (!a || typeof a !== 'object') throw new IngestError(400, `sessions.aggregates[${i}]: expected an object`);
    const g = a as Record<string, unknown>;
    const t = tally(release, bucketOf(g.started));
    t.crashed = count(g.crashed);
    t.abnormal = count(g.abnormal);
    t.errored = count(g.errored) + t.crashed;
    t.sessions = count(g.exited) + count(g.errored) + t.crashed + t.abnormal;
    const user = hashOf(g.did);
    if (user) t.users.set(user, t.crashed > 0);
    return t;
  });
}
