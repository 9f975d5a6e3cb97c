import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { formatDuration } from '../../shared/duration.js';
import { queuedBytes } from './direct-write.js';
import type { ForwardOptions } from './exchange.js';
import { ClientFraming, clientHead, rawProxyResponse } from './fast-response.js';
import { expectsPayload, upstreamRequest } from './fast-request.js';
import type { ResponseHead } from './http-head.js';
import type { RawUpstreamConnection, RawUser } from './raw-upstream.js';
import type { CompiledReleaseSet } from './release-set.js';
import type { RequestHead } from './request-head.js';
import { describeError, failureMessage, Retries } from './retries.js';
import type { CompiledRoute, CompiledTable } from './route-table.js';
import type { UpstreamState } from './upstream.js';

/** The client connection a fast exchange answers on (fast-connection.ts). */
export interface FastClient {
  readonly socket: Socket;
  /** Response bytes for the client, in order (direct-write.ts). */
  write(data: Buffer): void;
  /** The response has been handed to the socket; `last`: the connection closes after it; `now`: performance.now(). */
  exchangeDone(last: boolean, now: number): void;
}

/** Response bytes buffered for a slow client before the upstream is paused. */
const clientBufferBytes = 256 * 1024;
const lastChunk = Buffer.from('0\r\n\r\n', 'latin1');
const timeOrigin = performance.timeOrigin;

/**
 * One request on the fast path: the same upstream choice, header rewriting, retries, 502/504 answers and stats
 * sample as the Exchange path (exchange.ts), over a raw upstream socket, with the response's bytes passed through
 * (re-framed only when the client needs another framing).
 */
export class FastExchange implements RawUser {
  private readonly startedAt = performance.now();
  /** The set serving the request (a retry on another weighted set moves it). */
  private set: CompiledReleaseSet;
  private attempts = 0;
  /** Made on the first failed attempt only: most requests never need one. */
  private retries: Retries | undefined;
  private request: Buffer | undefined;
  private connection: RawUpstreamConnection | undefined;
  private upstream: UpstreamState;
  /** The current attempt counts in its upstream's in-flight requests. */
  private attemptOpen = false;
  private reused = false;
  private status = 0;
  private headSent = false;
  private framing: ClientFraming = ClientFraming.None;
  private last = false;
  /** The client's response head and the body bytes after it, until they go out (at the end of the read). */
  private pending: Buffer | undefined;
  /** Bytes of `pending` filled. */
  private pendingLength = 0;
  private paused = false;
  private proxyError = false;
  private done = false;

  constructor(
    private readonly client: FastClient,
    private readonly head: RequestHead,
    private readonly table: CompiledTable,
    private readonly route: CompiledRoute,
    set: CompiledReleaseSet,
    first: UpstreamState,
    /** The client's slipway-release cookie ('' if none) on sticky routes without a header target; null otherwise. */
    private readonly stickyCookie: string | null,
    private readonly options: ForwardOptions,
    private readonly clientAddress: string,
  ) {
    this.set = set;
    this.upstream = first;
  }

  /** The request is complete in `buf` (head from offset 0, then body): copy it out as sent upstream, send it. */
  start(buf: Buffer): void {
    const head = this.head;
    this.request = upstreamRequest(
      head,
      buf,
      this.clientAddress,
      Math.max(head.contentLength, 0),
      this.upstream.address,
    );
    this.dispatch(this.upstream);
  }

  private dispatch(upstream: UpstreamState): void {
    this.attempts++;
    this.upstream = upstream;
    upstream.inFlight++;
    this.attemptOpen = true;
    const connection = upstream.raw.acquire();
    this.connection = connection;
    this.reused = connection.served > 0;
    const method = this.head.method;
    const keep = method !== 'HEAD' && (this.head.contentLength <= 0 || expectsPayload.has(method));
    connection.send(this, this.request!, method === 'HEAD', keep, this.options);
  }

  onResponseHead(response: ResponseHead): void {
    const set = this.set;
    const cookie = this.stickyCookie !== null && this.stickyCookie !== set.release ? set.cookie : undefined;
    // Room for the body bytes that came in the same read, so head and body go out in one write(2).
    const out = clientHead(this.head, response, cookie, response.bytes.length - response.headEnd);
    this.status = response.status;
    this.framing = out.framing;
    this.last = out.last;
    this.pending = out.bytes;
    this.pendingLength = out.length;
    this.headSent = true;
  }

  onResponseBody(data: Buffer): void {
    switch (this.framing) {
      case ClientFraming.None:
        return;
      case ClientFraming.Chunked:
        if (data.length === 0) return;
        this.writeChunk(data);
        return;
      default: {
        const pending = this.pending;
        if (pending === undefined) {
          // A copy: `data` is the shared read buffer's.
          this.client.write(Buffer.from(data));
          return;
        }
        const at = this.pendingLength;
        if (at + data.length <= pending.length) {
          data.copy(pending, at);
          this.pendingLength = at + data.length;
          if (this.pendingLength === pending.length) this.flushPending();
        } else {
          const buf = Buffer.allocUnsafe(at + data.length);
          pending.copy(buf, 0, 0, at);
          data.copy(buf, at);
          this.pending = undefined;
          this.client.write(buf);
        }
      }
    }
  }

  /** One chunk of a re-framed body, after the head if it has not gone out yet: one write. */
  private writeChunk(data: Buffer): void {
    const pending = this.pending;
    const headLength = pending === undefined ? 0 : this.pendingLength;
    const size = data.length.toString(16);
    const buf = Buffer.allocUnsafe(headLength + size.length + 2 + data.length + 2);
    if (pending !== undefined) pending.copy(buf, 0, 0, headLength);
    this.pending = undefined;
    let at = headLength + buf.write(size, headLength, 'latin1');
    buf[at++] = 13;
    buf[at++] = 10;
    at += data.copy(buf, at);
    buf[at++] = 13;
    buf[at] = 10;
    this.client.write(buf);
  }

  /** Write what is pending (the head, and the body bytes copied after it). */
  private flushPending(): void {
    const pending = this.pending!;
    this.pending = undefined;
    this.client.write(this.pendingLength === pending.length ? pending : pending.subarray(0, this.pendingLength));
  }

  onResponseFlush(): void {
    if (this.pending !== undefined) this.flushPending();
    // As far ahead of the client as the node:http path lets a response get (its 256 KiB highWaterMark), rather than
    // the socket's 16 KiB: fewer pause/resume round trips for large bodies.
    if (!this.paused && queuedBytes(this.client.socket) >= clientBufferBytes) {
      this.paused = true;
      this.connection?.pause();
    }
  }

  /** The client took what was buffered: read on. */
  onClientDrain(): void {
    if (!this.paused) return;
    this.paused = false;
    this.connection?.resume();
  }

  onResponseEnd(): void {
    if (this.framing === ClientFraming.Chunked) {
      const pending = this.pending;
      const headLength = pending === undefined ? 0 : this.pendingLength;
      const buf = Buffer.allocUnsafe(headLength + lastChunk.length);
      if (pending !== undefined) pending.copy(buf, 0, 0, headLength);
      lastChunk.copy(buf, headLength);
      this.pending = undefined;
      this.client.write(buf);
    } else if (this.pending !== undefined) this.flushPending();
    this.closeAttempt();
    this.finish();
  }

  onResponseError(code: string, message: string): void {
    this.closeAttempt();
    if (this.done) return;
    // After response bytes the client already has a status: cut its response off, never silently short.
    if (this.headSent) {
      this.record();
      this.done = true;
      this.client.socket.destroy();
      return;
    }
    const upstream = this.upstream;
    if (code === 'UND_ERR_HEADERS_TIMEOUT') {
      this.fail(504, upstream, `did not answer within ${formatDuration(this.options.responseTimeoutMs)}`);
      return;
    }
    this.retries ??= new Retries(this.set, this.route, this.options);
    const retries = this.retries;
    retries.attempts = this.attempts;
    const next = retries.next(upstream, code, this.reused, this.head.method, true);
    this.set = retries.set;
    if (next !== undefined) this.dispatch(next);
    else this.fail(502, upstream, `failed: ${describeError({ code, message })}`);
  }

  /** The client connection closed before the response was complete: abort the upstream request. */
  clientGone(): void {
    if (this.done) return;
    this.done = true;
    this.connection?.abort();
    this.closeAttempt();
    // A client that left before any response byte produced no status to count.
    if (this.headSent) this.record();
  }

  private fail(status: 502 | 504, upstream: UpstreamState, what: string): void {
    this.proxyError = true;
    const message = failureMessage(upstream, this.route, this.table, what);
    this.options.logger.warn({ status, upstream: upstream.id, address: upstream.address }, message);
    this.status = status;
    this.headSent = true;
    this.last = !this.head.keepAlive;
    this.client.write(
      rawProxyResponse(this.head, status, status === 504 ? 'upstream_timeout' : 'upstream_failed', message),
    );
    this.finish();
  }

  private closeAttempt(): void {
    this.connection = undefined;
    if (!this.attemptOpen) return;
    this.attemptOpen = false;
    this.upstream.finish();
  }

  private finish(): void {
    this.done = true;
    this.client.exchangeDone(this.last, this.record());
  }

  /** Count the request in its release's figures; the time it ended (performance.now()). */
  private record(): number {
    const now = performance.now();
    this.set.recorder.record(this.status, now - this.startedAt, this.proxyError, timeOrigin + now);
    return now;
  }
}
