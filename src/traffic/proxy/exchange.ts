import http, { type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../../shared/logging.js';
import { formatDuration } from '../../shared/duration.js';
import { clientAddressOf, clientResponseHeaders, upstreamRequestHeaders } from './headers.js';
import { sendProxyResponse } from './proxy-response.js';
import type { CompiledReleaseSet } from './release-set.js';
import { framingOf, maxBufferedBodyBytes, readRequestBody, type RequestBody } from './request-body.js';
import type { CompiledRoute, CompiledTable } from './route-table.js';
import type { UpstreamState } from './upstream.js';

/** Tunables of forwarding; defaults in defaultForwardOptions. */
export interface ForwardOptions {
  /** No response headers from the upstream within this time → 504. */
  responseTimeoutMs: number;
  /** A new upstream connection not established within this time counts as a connect error (retried). */
  connectTimeoutMs: number;
  /** Passive health: how long an upstream that refused a connection gets no new requests. */
  ejectMs: number;
  /** Retries after a connect error or a reset on a reused socket (never after response bytes). */
  maxRetries: number;
  logger: Logger;
}

/** Errors that can only happen while connecting: the upstream never saw the request. */
const connectErrorCodes = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * One client request on its way through the proxy: body buffering, dispatch to an upstream,
 * retries that cannot lose a request, the timeout, streaming the response back, and the
 * stats sample when the client side closes.
 */
export class Exchange {
  private readonly startedAt = performance.now();
  private body: RequestBody | undefined;
  private headers: string[] = [];
  private upstreamReq: ClientRequest | undefined;
  private tried: UpstreamState[] | undefined;
  private attempts = 0;
  private responded = false;
  private proxyError = false;
  private clientGone = false;
  private timedOut = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly table: CompiledTable,
    private readonly route: CompiledRoute,
    private set: CompiledReleaseSet,
    private readonly first: UpstreamState,
    /** Value of the client's slipway-release cookie when the route is sticky and no header targets a release. */
    private readonly stickyCookie: string | null,
    private readonly options: ForwardOptions,
  ) {}

  /** Read (or start streaming) the body, then dispatch to the first upstream. */
  start(): void {
    this.res.on('close', this.onClientClose);
    readRequestBody(this.req, maxBufferedBodyBytes, this.onBody);
  }

  private readonly onBody = (body: RequestBody | undefined): void => {
    if (body === undefined || this.clientGone) return;
    this.body = body;
    this.headers = upstreamRequestHeaders(this.req.rawHeaders, clientAddressOf(this.req.socket.remoteAddress), framingOf(body));
    this.dispatch(this.first);
  };

  private dispatch(upstream: UpstreamState): void {
    this.attempts++;
    upstream.inFlight++;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      upstream.finish();
    };
    let ureq: ClientRequest;
    try {
      ureq = http.request({ host: upstream.host, port: upstream.port, agent: upstream.agent, method: this.req.method, path: this.req.url, headers: this.headers });
    } catch (e) {
      finish();
      return this.fail(502, upstream, `could not send the request: ${(e as Error).message}`);
    }
    this.upstreamReq = ureq;
    ureq.on('socket', (socket: Socket) => this.watchConnect(ureq, socket));
    ureq.on('response', (ures: IncomingMessage) => this.onResponse(ures, finish));
    ureq.on('error', (err: NodeJS.ErrnoException) => {
      finish();
      this.onUpstreamError(ureq, upstream, err);
    });
    this.timer = setTimeout(this.onTimeout, this.options.responseTimeoutMs);
    const body = this.body!;
    if (body.kind === 'none') ureq.end();
    else if (body.kind === 'buffered') ureq.end(body.data);
    else {
      for (const chunk of body.head) ureq.write(chunk);
      this.req.pipe(ureq);
      this.req.resume();
    }
  }

  /** A new connection gets a connect deadline; reused keep-alive sockets are already connected. */
  private watchConnect(ureq: ClientRequest, socket: Socket): void {
    if (!socket.connecting) return;
    const timer = setTimeout(() => ureq.destroy(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' })), this.options.connectTimeoutMs);
    const clear = () => clearTimeout(timer);
    socket.once('connect', clear).once('close', clear);
  }

  private onResponse(ures: IncomingMessage, finish: () => void): void {
    clearTimeout(this.timer);
    this.responded = true;
    ures.on('close', () => {
      finish();
      // The upstream broke off mid-body: end the client's response abruptly too, never silently short.
      if (!ures.complete) this.res.destroy();
    });
    if (this.clientGone) {
      ures.destroy();
      return;
    }
    this.res.writeHead(ures.statusCode ?? 502, ures.statusMessage, clientResponseHeaders(ures.rawHeaders, this.cookieFor(this.set)));
    ures.pipe(this.res);
  }

  private onUpstreamError(ureq: ClientRequest, upstream: UpstreamState, err: NodeJS.ErrnoException): void {
    clearTimeout(this.timer);
    // After response bytes the response stream reports the failure; after a client abort nobody listens.
    if (this.responded || this.clientGone || ureq !== this.upstreamReq) return;
    if (this.timedOut) return this.fail(504, upstream, `did not answer within ${formatDuration(this.options.responseTimeoutMs)}`);
    const code = err.code ?? '';
    const connectFailed = !ureq.reusedSocket && connectErrorCodes.has(code);
    // A reused keep-alive socket reset before any response byte: the upstream closed it idle, never read the request.
    const resetOnReuse = ureq.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE');
    if (connectFailed) this.eject(upstream, code);
    if ((connectFailed || resetOnReuse) && this.body!.kind !== 'stream' && this.attempts <= this.options.maxRetries) {
      const next = this.nextUpstream(upstream);
      if (next !== undefined) return this.dispatch(next);
    }
    this.fail(502, upstream, `failed: ${describeError(err)}`);
  }

  private readonly onTimeout = (): void => {
    this.timedOut = true;
    this.upstreamReq?.destroy();
  };

  private eject(upstream: UpstreamState, code: string): void {
    const now = Date.now();
    if (upstream.ejectedUntil <= now) {
      this.options.logger.warn({ environment: upstream.environment, service: upstream.service, release: upstream.release, upstream: upstream.id, address: upstream.address, code }, 'upstream refused a connection; ejected briefly');
    }
    upstream.ejectedUntil = now + this.options.ejectMs;
  }

  /** Another upstream of the same set, else of the other weighted sets (heaviest first). */
  private nextUpstream(failed: UpstreamState): UpstreamState | undefined {
    const tried = (this.tried ??= []);
    tried.push(failed);
    const now = Date.now();
    const same = this.set.pickUpstream(now, tried);
    if (same !== undefined) return same;
    for (const set of this.route.fallbackOrder) {
      if (set === this.set) continue;
      const next = set.pickUpstream(now, tried);
      if (next !== undefined) {
        this.set = set;
        return next;
      }
    }
    return undefined;
  }

  private cookieFor(set: CompiledReleaseSet): string | undefined {
    return this.stickyCookie !== null && this.stickyCookie !== set.release ? set.cookie : undefined;
  }

  private fail(status: 502 | 504, upstream: UpstreamState, what: string): void {
    this.proxyError = true;
    const message = `instance ${upstream.id} at ${upstream.address} (release ${upstream.release}) of service "${this.route.service}" in environment "${this.table.environment}" ${what}`;
    this.options.logger.warn({ status, upstream: upstream.id, address: upstream.address }, message);
    sendProxyResponse(this.req, this.res, status, status === 504 ? 'upstream_timeout' : 'upstream_failed', message);
  }

  private readonly onClientClose = (): void => {
    if (!this.res.writableFinished) {
      this.clientGone = true;
      clearTimeout(this.timer);
      this.upstreamReq?.destroy();
    }
    // A client that left before any response byte produced no status to count.
    if (this.res.headersSent) this.set.recorder.record(this.res.statusCode, performance.now() - this.startedAt, this.proxyError, Date.now());
  };
}

/** "connection refused (ECONNREFUSED)" rather than Node's "connect ECONNREFUSED 127.0.0.1:1234". */
function describeError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused (ECONNREFUSED)';
    case 'ECONNRESET':
      return 'connection reset before a complete response (ECONNRESET)';
    case 'ETIMEDOUT':
      return 'connect timed out (ETIMEDOUT)';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `host unreachable (${err.code})`;
    default:
      return err.code ? `${err.message} (${err.code})` : err.message;
  }
}
