import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatDuration } from '../../shared/duration.js';
import type { Logger } from '../../shared/logging.js';
import { Attempt, type AttemptOwner } from './attempt.js';
import { clientAddressOf, clientResponseHeaders, upstreamRequestHeaders } from './headers.js';
import { sendProxyResponse } from './proxy-response.js';
import type { CompiledReleaseSet } from './release-set.js';
import { framingOf, maxBufferedBodyBytes, readRequestBody, type RequestBody } from './request-body.js';
import type { CompiledRoute, CompiledTable } from './route-table.js';
import type { RumIntake } from './rum-intake.js';
import { describeError, failureMessage, Retries } from './retries.js';
import type { UpstreamState } from './upstream.js';

/** Tunables of forwarding; defaults in defaultForwardOptions (data-plane.ts). */
export interface ForwardOptions {
  /** No response headers from the upstream within this time → 504. */
  responseTimeoutMs: number;
  /** The upstream sent nothing for this long in the middle of a body → the response is cut off. */
  bodyIdleTimeoutMs: number;
  /** A new upstream connection not established within this time counts as a connect error (retried). */
  connectTimeoutMs: number;
  /** Passive health: how long an upstream that refused a connection gets no new requests. */
  ejectMs: number;
  /** Retries after a connect error, a reset on a reused socket, or a reset of an idempotent request; never after
   * response bytes. */
  maxRetries: number;
  logger: Logger;
  /**
   * Serve common requests on the fast path (fast-connection.ts: raw sockets) rather than node:http + undici
   * (default true; SLIPWAY_PROXY_FAST_PATH=0 turns it off).
   */
  fastPath?: boolean;
  /** Answers RUM beacons (rum-intake.ts); without it they are forwarded like any request. */
  rum?: RumIntake;
}

/**
 * One client request on its way through the proxy: body buffering, dispatch to an upstream,
 * retries that cannot lose a request, streaming the response back with backpressure, and the
 * stats sample when the client side closes.
 */
export class Exchange implements AttemptOwner {
  private readonly startedAt = performance.now();
  private body: RequestBody | undefined;
  private headers: string[] = [];
  private attempt: Attempt | undefined;
  private readonly retries: Retries;
  private proxyError = false;
  private clientGone = false;
  /** When the last response byte was handed to the socket (performance.now()). */
  private endedAt: number | undefined;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly table: CompiledTable,
    private readonly route: CompiledRoute,
    set: CompiledReleaseSet,
    private readonly first: UpstreamState,
    /** The client's slipway-release cookie ('' if none) on sticky routes without a header target; null otherwise. */
    private readonly stickyCookie: string | null,
    private readonly options: ForwardOptions,
  ) {
    this.retries = new Retries(set, route, options);
  }

  /** Read (or start streaming) the body, then dispatch to the first upstream. */
  start(): void {
    this.res.on('close', this.onClientClose);
    readRequestBody(this.req, maxBufferedBodyBytes, this.onBody);
  }

  private readonly onBody = (body: RequestBody | undefined): void => {
    if (body === undefined || this.clientGone) return;
    if (body.kind === 'stream' && body.head.length > 0) this.req.unshift(Buffer.concat(body.head));
    this.body = body;
    this.headers = upstreamRequestHeaders(
      this.req.rawHeaders,
      clientAddressOf(this.req.socket.remoteAddress),
      framingOf(body),
    );
    this.dispatch(this.first);
  };

  private dispatch(upstream: UpstreamState): void {
    this.retries.attempts++;
    const attempt = new Attempt(this, upstream, upstream.pool.acquire());
    this.attempt = attempt;
    const body = this.body!;
    attempt.start({
      method: this.req.method!,
      path: this.req.url!,
      headers: this.headers,
      body: body.kind === 'none' ? null : body.kind === 'buffered' ? body.data : this.req,
      headersTimeout: this.options.responseTimeoutMs,
      bodyTimeout: this.options.bodyIdleTimeoutMs,
    });
  }

  onAttemptHeaders(_attempt: Attempt, status: number, rawHeaders: Buffer[], statusText: string): boolean {
    if (this.clientGone) return false;
    this.res.writeHead(status, statusText, clientResponseHeaders(rawHeaders, this.cookieFor(this.retries.set)));
    return true;
  }

  onAttemptData(chunk: Buffer): boolean {
    if (this.res.write(chunk)) return true;
    this.res.once('drain', this.onClientDrain);
    return false;
  }

  private readonly onClientDrain = (): void => this.attempt?.resume();

  onAttemptComplete(): void {
    this.endedAt = performance.now();
    this.res.end();
  }

  onAttemptError(attempt: Attempt, err: NodeJS.ErrnoException): void {
    // A client that aborted mid-upload fails the upstream request too: nobody is left to answer.
    if (this.clientGone || attempt !== this.attempt || this.req.socket.destroyed) return;
    // After response bytes the client already has a status: cut its response off, never silently short.
    if (attempt.responded) {
      this.res.destroy();
      return;
    }
    const upstream = attempt.upstream;
    const code = err.code ?? '';
    if (code === 'UND_ERR_HEADERS_TIMEOUT') {
      this.fail(504, upstream, `did not answer within ${formatDuration(this.options.responseTimeoutMs)}`);
      return;
    }
    const next = this.retries.next(upstream, code, attempt.reused, this.req.method!, this.body!.kind !== 'stream');
    if (next !== undefined) {
      this.dispatch(next);
      return;
    }
    this.fail(502, upstream, `failed: ${describeError(err)}`);
  }

  private cookieFor(set: CompiledReleaseSet): string | undefined {
    return this.stickyCookie !== null && this.stickyCookie !== set.release ? set.cookie : undefined;
  }

  private fail(status: 502 | 504, upstream: UpstreamState, what: string): void {
    this.proxyError = true;
    const message = failureMessage(upstream, this.route, this.table, what);
    this.options.logger.warn({ status, upstream: upstream.id, address: upstream.address }, message);
    sendProxyResponse(this.req, this.res, status, status === 504 ? 'upstream_timeout' : 'upstream_failed', message);
  }

  private readonly onClientClose = (): void => {
    if (!this.res.writableFinished) {
      this.clientGone = true;
      this.attempt?.abort();
    }
    // A client that left before any response byte produced no status to count.
    if (this.res.headersSent)
      this.retries.set.recorder.record(
        this.res.statusCode,
        performance.now() - this.startedAt,
        this.proxyError,
        // Sub-millisecond, and taken when the response ended rather than when 'close' ran: the samples of several
        // workers are put in the order their requests finished.
        performance.timeOrigin + (this.endedAt ?? performance.now()),
      );
  };
}
