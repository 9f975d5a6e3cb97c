import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EventRecord } from '../store/repos/events.js';
import type { ApiContext } from './context.js';
import { presentEvent } from './present.js';

const heartbeatMs = 15_000;

/** How far below the highest id sent a late event is still sent: the EventLog tail's rescan window. */
const lateWindow = 200;

/** What one live stream of the whole timeline carries: the events this caller may see, after an id. */
export interface StreamSelection {
  after: number;
  /** Start after the newest stored event instead (read once subscribed, so no later event is missed); the stream
   * then opens with a `stream.start` event carrying that id, for Last-Event-ID on reconnect. */
  fromLatest?: () => Promise<number>;
  /** May this event be sent (project filter, the environments the caller may view)? */
  matches: (e: EventRecord) => boolean;
  /** The stored events after `after`, oldest first, at most `limit` (already filtered like `matches`). */
  backlog: (after: number, limit: number) => Promise<EventRecord[]>;
  /** A stream with an end (one deployment's): it ends with an `end` event after this event… */
  endsAfter?: (e: EventRecord) => boolean;
  /** …or once the backlog is sent, when this says there is nothing more to come (and what ended it is stored). */
  over?: () => Promise<boolean>;
}

/**
 * Answer with server-sent events: the backlog after `after` (a reconnecting EventSource sends
 * Last-Event-ID), then every new event as it is stored, each with its id, so a reconnect neither
 * loses nor repeats one. The stream stays open until the client leaves; a comment every 15 s keeps
 * proxies from closing it.
 */
export async function streamEvents(
  ctx: ApiContext,
  req: FastifyRequest,
  reply: FastifyReply,
  selection: StreamSelection,
): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  // Tells the browser's EventSource how soon to come back after the coordinator restarts.
  res.write('retry: 1000\n\n');
  // Nothing at or before the start is sent; after it, each event once, in whatever order it is handed over.
  let origin = selection.after;
  let lastSent = selection.after;
  const sent = new Set<number>();
  let closed = false;
  let replaying = true;
  const pending: EventRecord[] = [];
  const end = () => {
    if (closed) return;
    cleanup();
    res.write('event: end\ndata: {}\n\n');
    res.end();
  };
  // Events reach a stream out of id order: one written inside a change's transaction (an incident, an alert) is read
  // by the EventLog's tail up to 500 ms after it is stored, while those emitted meanwhile, with higher ids, are
  // handed over at once. Sending only ids above the last one sent dropped the late one (seen as a flaky test waiting
  // for incident.opened). The SSE id stays the highest sent, so a reconnect repeats nothing.
  const send = (e: EventRecord) => {
    if (closed || e.id <= origin || sent.has(e.id) || e.id <= lastSent - lateWindow) return;
    sent.add(e.id);
    lastSent = Math.max(lastSent, e.id);
    if (sent.size > 2 * lateWindow) for (const id of sent) if (id <= lastSent - lateWindow) sent.delete(id);
    res.write(`id: ${lastSent}\nevent: ${e.kind}\ndata: ${JSON.stringify(presentEvent(e))}\n\n`);
    if (selection.endsAfter?.(e)) end();
  };
  // Subscribed before the backlog is read, so nothing falls between the two; duplicates are dropped by id.
  const unsubscribe = ctx.events.subscribe((e) => {
    if (!selection.matches(e)) return;
    if (replaying) pending.push(e);
    else send(e);
  });
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs);
  const cleanup = () => {
    closed = true;
    unsubscribe();
    clearInterval(heartbeat);
  };
  req.raw.on('close', cleanup);
  res.on('close', cleanup);
  try {
    if (selection.fromLatest) {
      origin = lastSent = Math.max(lastSent, await selection.fromLatest());
      res.write(`id: ${lastSent}\nevent: stream.start\ndata: ${JSON.stringify({ after: lastSent })}\n\n`);
    }
    for (let batch = await selection.backlog(lastSent, 1000); batch.length > 0; ) {
      for (const e of batch) send(e);
      if (closed || batch.length < 1000) break;
      batch = await selection.backlog(lastSent, 1000);
    }
    replaying = false;
    for (const e of pending.sort((a, b) => a.id - b.id)) send(e);
    if (!closed && (await selection.over?.())) {
      // Nothing more will come, and what ended it is stored (the state and its event share a transaction, see
      // EventLog.record) but may have been stored after the backlog was read and not yet handed over: read once more.
      for (const e of await selection.backlog(lastSent, 1000)) send(e);
      end();
    }
  } catch (err) {
    // The answer has begun (hijacked): no error body can follow, but the stream must not hang open.
    ctx.logger.error({ err }, 'event stream failed while replaying; closed');
    cleanup();
    res.end();
  }
}
