import { gzipSync } from 'node:zlib';
import type { Envelope } from './envelope.js';
import { type Grouping, groupEvent } from './grouping.js';
import { IngestError } from './ingest-error.js';
import { ingestLimits } from './limits.js';
import { readSentryEvent, type SentryEvent } from './sentry-event.js';
import { readSessionAggregates, readSessionUpdate, type SessionTally } from './sessions.js';

/**
 * An event as the digest stores it: read, grouped, and its payload ready for the store. Small on
 * purpose (no parsed event): it crosses from an ingest worker to the event loop, and waits in the queue.
 */
export interface AcceptedEvent {
  eventId: string;
  level: string;
  release: string;
  timestamp: Date;
  unhandled: boolean;
  /** sha256 of the user's id, email, username or address (sentry-event.ts). */
  userHash?: string;
  grouping: Grouping;
  /**
   * What is stored: the event's JSON gzip-compressed, or — when the SDK sent an envelope holding only
   * this event, gzip-compressed — that body as it came (the reader takes the event out of the envelope).
   */
  payload: Buffer;
}

/** Everything of one envelope that will be stored, validated whole before any of it is queued. */
export interface Accepted {
  project: string;
  environment: string;
  events: AcceptedEvent[];
  /** Releases and times (ms) of the transactions it held. */
  transactions: { release: string; at: number }[];
  sessions: SessionTally[];
  /** Bytes it holds (what the queue bounds). */
  bytes: number;
  /** Items in the envelope, of any type. */
  items: number;
}

/** Item types read; the rest (attachments, client reports, profiles, replays, check-ins…) is accepted and ignored. */
export const handledItemTypes = ['event', 'transaction', 'session', 'sessions'] as const;

/** What a transaction or a session tally costs in the queue: a release name and a few numbers. */
const tallyBytes = 128;

/**
 * The event's stored form (fast gzip level: the store's time is what counts), unless the SDK's own
 * gzip body holds this event alone: storing that as it came saves a gzip, which costs more than reading it.
 */
function acceptedEvent(e: SentryEvent, sdkGzipBody: Buffer | undefined): AcceptedEvent {
  return {
    eventId: e.eventId,
    level: e.level,
    release: e.release,
    timestamp: e.timestamp,
    unhandled: e.unhandled,
    ...(e.userHash ? { userHash: e.userHash } : {}),
    grouping: groupEvent(e),
    payload: sdkGzipBody ?? gzipSync(e.raw, { level: 1 }),
  };
}

/**
 * Read the items of an envelope for the key's project and environment; any malformed item refuses them all.
 * `sdkGzipBody`: the request's body when it came gzip-compressed (stored as is when it holds one event only).
 */
export function acceptEnvelope(
  target: { project: string; environment: string },
  envelope: Envelope,
  sdkGzipBody?: Buffer,
): Accepted {
  const accepted: Accepted = {
    ...target,
    events: [],
    transactions: [],
    sessions: [],
    bytes: 0,
    items: envelope.items.length,
  };
  const alone = envelope.items.length === 1 ? sdkGzipBody : undefined;
  for (const [i, item] of envelope.items.entries()) {
    const where = `item ${i + 1} (${item.type})`;
    try {
      if (item.type === 'event' || item.type === 'transaction') {
        if (item.payload.length > ingestLimits.eventBytes)
          throw new IngestError(413, `larger than ${ingestLimits.eventBytes} bytes`);
        const event = readSentryEvent(item.payload, envelope.header.event_id);
        if (item.type === 'event') {
          const a = acceptedEvent(event, alone);
          accepted.events.push(a);
          accepted.bytes += a.payload.length;
        } else {
          accepted.transactions.push({ release: event.release, at: event.timestamp.getTime() });
          accepted.bytes += tallyBytes;
        }
      } else if (item.type === 'session') accepted.sessions.push(readSessionUpdate(item.payload));
      else if (item.type === 'sessions') accepted.sessions.push(...readSessionAggregates(item.payload));
    } catch (e) {
      if (e instanceof IngestError) throw new IngestError(e.status, `${where}: ${e.message}`, e.retryAfter);
      throw e;
    }
  }
  accepted.bytes += accepted.sessions.length * tallyBytes;
  return accepted;
}

/** The legacy store endpoint: the body is one event. */
export function acceptStoredEvent(target: { project: string; environment: string }, body: Buffer): Accepted {
  if (body.length > ingestLimits.eventBytes) throw new IngestError(413, `event larger than ${ingestLimits.eventBytes}`);
  const event = acceptedEvent(readSentryEvent(body), undefined);
  return { ...target, events: [event], transactions: [], sessions: [], bytes: event.payload.length, items: 1 };
}
