import { hash, randomUUID } from 'node:crypto';
import { escapeUnstorable } from '../../shared/storable-text.js';
import { IngestError } from './ingest-error.js';

/** A stack frame as SDKs send it (only the fields grouping and people read). */
export interface Frame {
  filename?: string;
  function?: string;
  module?: string;
  lineno?: number;
  in_app?: boolean;
}

/** One exception of an event (the last of `exception.values` is the one that was thrown). */
export interface ExceptionInfo {
  type: string;
  value: string;
  frames: Frame[];
  handled: boolean;
}

/**
 * What Slipway reads from an SDK's event. The payload is kept as the bytes sent (for `errors show`),
 * not as the parsed object: a queue of parsed 50 KB events is several times their size in heap.
 */
export interface SentryEvent {
  eventId: string;
  level: string;
  release: string;
  timestamp: Date;
  message?: string;
  exception?: ExceptionInfo;
  fingerprint?: string[];
  /** sha256 of the user's id, email, username or address: affected users without keeping who they are. */
  userHash?: string;
  unhandled: boolean;
  /** Its JSON exactly as sent (what accepted.ts stores, compressed). */
  raw: Buffer;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function eventIdOf(raw: unknown, fallback: unknown): string {
  const id = text(raw) ?? text(fallback);
  if (id === undefined) return randomUUID().replaceAll('-', '');
  const hex = id.replaceAll('-', '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new IngestError(400, `event_id: "${id.slice(0, 40)}" is not 32 hex digits`);
  return hex;
}

function timestampOf(raw: unknown): Date {
  const at =
    typeof raw === 'number' ? new Date(raw * 1000) : typeof raw === 'string' ? new Date(raw) : new Date(Number.NaN);
  // A client clock far off (or no timestamp) is replaced by the time of receipt, as Sentry does.
  const now = Date.now();
  return Number.isFinite(at.getTime()) && Math.abs(at.getTime() - now) < 30 * 86_400_000 ? at : new Date(now);
}

function messageOf(e: Record<string, unknown>): string | undefined {
  const log = (e.logentry ?? e.message) as unknown;
  if (typeof log === 'string') return text(log);
  if (log && typeof log === 'object') {
    const entry = log as Record<string, unknown>;
    // The template groups "user 1 failed" and "user 2 failed" together; the formatted text is the fallback.
    return text(entry.message) ?? text(entry.formatted);
  }
  return undefined;
}

function exceptionOf(e: Record<string, unknown>): ExceptionInfo | undefined {
  const container = e.exception as { values?: unknown } | unknown[] | undefined;
  const values = Array.isArray(container) ? container : (container as { values?: unknown })?.values;
  if (!Array.isArray(values) || values.length === 0) return undefined;
  const last = values[values.length - 1] as Record<string, unknown> | null;
  if (!last || typeof last !== 'object') throw new IngestError(400, 'exception.values: expected objects');
  const frames = (last.stacktrace as { frames?: unknown } | undefined)?.frames;
  const mechanism = last.mechanism as { handled?: unknown } | undefined;
  return {
    type: text(last.type) ?? 'Error',
    value: typeof last.value === 'string' ? last.value : '',
    frames: Array.isArray(frames) ? (frames.filter((f) => f && typeof f === 'object') as Frame[]) : [],
    handled:
      values.every((v) => (v as { mechanism?: { handled?: unknown } })?.mechanism?.handled !== false) &&
      mechanism?.handled !== false,
  };
}

function userHashOf(user: unknown): string | undefined {
  if (!user || typeof user !== 'object') return undefined;
  const u = user as Record<string, unknown>;
  const who =
    text(u.id) ??
    (typeof u.id === 'number' ? String(u.id) : undefined) ??
    text(u.email) ??
    text(u.username) ??
    text(u.ip_address);
  return who === undefined ? undefined : hash('sha256', who).slice(0, 32);
}

/** Read an event (or transaction) payload; a malformed one is a 400 naming the field. */
export function readSentryEvent(bytes: Buffer, envelopeEventId?: unknown): SentryEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new IngestError(400, `event: not valid JSON (${(e as Error).message})`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new IngestError(400, 'event: expected a JSON object');
  const e = parsed as Record<string, unknown>;
  if (
    e.fingerprint !== undefined &&
    (!Array.isArray(e.fingerprint) || e.fingerprint.some((f) => typeof f !== 'string'))
  )
    throw new IngestError(400, 'event.fingerprint: expected an array of strings');
  const exception = exceptionOf(e);
  return {
    eventId: eventIdOf(e.event_id, envelopeEventId),
    // Kept in text columns: what PostgreSQL cannot store is escaped (the payload goes through digest.ts).
    level: escapeUnstorable(text(e.level)?.slice(0, 20) ?? (exception ? 'error' : 'info')),
    release: escapeUnstorable(text(e.release)?.slice(0, 200) ?? 'unknown'),
    timestamp: timestampOf(e.timestamp),
    message: messageOf(e),
    exception,
    fingerprint: e.fingerprint as string[] | undefined,
    userHash: userHashOf(e.user),
    unhandled: exception ? !exception.handled : false,
    raw: bytes,
  };
}
