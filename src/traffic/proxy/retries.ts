import type { ForwardOptions } from './exchange.js';
import type { CompiledReleaseSet } from './release-set.js';
import type { CompiledRoute, CompiledTable } from './route-table.js';
import type { UpstreamState } from './upstream.js';

/**
 * Which upstream a request goes to after a failed attempt, shared by both forwarding paths (exchange.ts over
 * node:http + undici, fast-exchange.ts over raw sockets) so they retry alike: never lose a request, never repeat
 * one an upstream may have processed.
 */

/** Errors that can only happen while connecting: the upstream never saw the request. */
const connectErrorCodes = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
]);
/** How a reused keep-alive socket that the upstream had already closed fails, or an upstream that died mid-request. */
const droppedCodes = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);
/**
 * Methods whose repetition has the effect of one request (RFC 9110 §9.2.2): when the upstream dropped the connection
 * before any response byte (an instance killed mid-request), they are sent to another instance, as nginx's default
 * proxy_next_upstream does. Others (POST, PATCH) may have been processed, so the client gets the 502 instead.
 */
const idempotentMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/** The retry state of one request. */
export class Retries {
  attempts = 0;
  private tried: UpstreamState[] | undefined;
  /** The one retry on the same upstream after a stale keep-alive socket has been spent. */
  private retriedSame = false;

  constructor(
    /** The set serving the request; a retry on another weighted set moves it. */
    public set: CompiledReleaseSet,
    private readonly route: CompiledRoute,
    private readonly options: ForwardOptions,
  ) {}

  /**
   * After an attempt failed with `code` before any response byte: the upstream to try next, or undefined (the
   * client gets the 502). `reused`: the request went out on a keep-alive socket that had carried a response;
   * `replayable`: the body can be sent again (not streamed).
   */
  next(
    upstream: UpstreamState,
    code: string,
    reused: boolean,
    method: string,
    replayable: boolean,
  ): UpstreamState | undefined {
    const connectFailed = connectErrorCodes.has(code);
    const dropped = droppedCodes.has(code);
    const staleSocket = reused && dropped;
    const retry = connectFailed || staleSocket || (dropped && idempotentMethods.has(method));
    if (connectFailed) this.eject(upstream, code);
    if (!retry || !replayable || this.attempts > this.options.maxRetries) return undefined;
    // A keep-alive socket the upstream had already closed says nothing about the upstream: try it again on a
    // fresh connection, so a request aimed at one release (a probe at a single candidate) stays with it.
    const again = staleSocket && !connectFailed && !this.retriedSame && upstream.available(Date.now());
    if (again) {
      this.retriedSame = true;
      return upstream;
    }
    return this.nextUpstream(upstream);
  }

  private eject(upstream: UpstreamState, code: string): void {
    const now = Date.now();
    if (upstream.ejectedUntil <= now) {
      this.options.logger.warn(
        {
          environment: upstream.environment,
          service: upstream.service,
          release: upstream.release,
          upstream: upstream.id,
          address: upstream.address,
          code,
        },
        'upstream could not be reached; ejected briefly',
      );
    }
    upstream.ejectedUntil = now + this.options.ejectMs;
  }

  /** Another upstream of the same set, else of the other weighted sets (heaviest first). */
  private nextUpstream(failed: UpstreamState): UpstreamState | undefined {
    this.tried ??= [];
    const tried = this.tried;
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
}

/** The message of a 502/504, naming instance, address, release, service and environment. */
export function failureMessage(
  upstream: UpstreamState,
  route: CompiledRoute,
  table: CompiledTable,
  what: string,
): string {
  return (
    `instance ${upstream.id} at ${upstream.address} (release ${upstream.release}) of service ` +
    `"${route.service}" in environment "${table.environment}" ${what}`
  );
}

/** "connection refused (ECONNREFUSED)" rather than "connect ECONNREFUSED 127.0.0.1:1234". */
export function describeError(err: { code?: string; message: string }): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused (ECONNREFUSED)';
    case 'ECONNRESET':
      return 'connection reset before a complete response (ECONNRESET)';
    case 'UND_ERR_SOCKET':
      return 'connection closed before a complete response';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `connect timed out (${err.code})`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `host unreachable (${err.code})`;
    default:
      return err.code ? `${err.message} (${err.code})` : err.message;
  }
}
