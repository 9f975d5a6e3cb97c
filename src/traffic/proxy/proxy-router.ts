import { Pool, type Dispatcher } from 'undici';
import type { EnvironmentRoutes, Router, TrafficStats, UpstreamStatus } from '../router.js';
import { codeOfHttpStatus, messageOf, type ErrorCode } from '../../shared/errors.js';
import { parseHostPort, formatHostPort } from './address.js';
import { ProxyError } from './errors.js';
import type { RumPage } from './rum-samples.js';
import type { SamplesPage } from './traffic-stats.js';

/** Where the proxy's admin API is and how to authenticate. */
export interface ProxyRouterOptions {
  /** host:port of the admin API. */
  admin: string;
  /** Admin token (see loadAdminToken). */
  token: string;
  /** Per-call timeout for headers and body (default 10 s). */
  timeoutMs?: number;
}

const errorCodes = new Set<ErrorCode>([
  'invalid_input',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'unavailable',
  'failed',
  'internal',
]);

/**
 * The Router the engine uses with the built-in proxy: a client of its admin API. Failures are
 * ProxyErrors: `unavailable` (proxy unreachable), `conflict` (listen address in use),
 * `invalid_input` (bad table, with key paths in details.issues), `unauthorized` (wrong token).
 */
export class ProxyRouter implements Router {
  private readonly pool: Pool;
  private readonly address: string;
  private readonly timeoutMs: number;

  constructor(private readonly options: ProxyRouterOptions) {
    const parsed = parseHostPort(options.admin);
    if (!parsed) throw new ProxyError('invalid_input', `proxy admin address "${options.admin}" is not host:port`);
    this.address = formatHostPort(parsed);
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.pool = new Pool(`http://${this.address}`, { connections: 4, connect: { timeout: this.timeoutMs } });
  }

  /** Replace one environment's table. Idempotent. */
  async apply(routes: EnvironmentRoutes): Promise<void> {
    await this.call('PUT', `/routes/${encodeURIComponent(routes.environment)}`, routes);
  }

  /** Remove an environment's listener and routes. Idempotent. */
  async remove(environment: string): Promise<void> {
    await this.call('DELETE', `/routes/${encodeURIComponent(environment)}`);
  }

  /** Every upstream with its in-flight count, including draining ones. */
  upstreams(): Promise<UpstreamStatus[]> {
    return this.call('GET', '/upstreams') as Promise<UpstreamStatus[]>;
  }

  /** Cumulative per-release figures; the +Inf bucket bound (null in JSON) comes back as Infinity. */
  async stats(): Promise<TrafficStats> {
    const stats = (await this.call('GET', '/stats')) as TrafficStats;
    for (const services of Object.values(stats.environments))
      for (const releases of Object.values(services))
        for (const rs of Object.values(releases))
          rs.latency.bucketsMs = rs.latency.bucketsMs.map((b) => (b === null ? Infinity : b));
    return stats;
  }

  /** Is the proxy up? Never throws. */
  async healthy(): Promise<boolean> {
    try {
      const res = await this.pool.request({
        method: 'GET',
        path: '/healthz',
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      const body = (await res.body.json().catch(() => undefined)) as { ok?: boolean } | undefined;
      return res.statusCode === 200 && body?.ok === true;
    } catch {
      return false;
    }
  }

  /** Every environment's table as the proxy holds it. */
  routes(): Promise<EnvironmentRoutes[]> {
    return this.call('GET', '/routes') as Promise<EnvironmentRoutes[]>;
  }

  /** Recent raw samples of one service with seq > after (for the canary judge). */
  samples(environment: string, service: string, after = 0): Promise<SamplesPage> {
    const query = new URLSearchParams({ environment, service, after: String(after) });
    return this.call('GET', `/samples?${query}`) as Promise<SamplesPage>;
  }

  /** Recent RUM beacons of one service with seq > after (the page's Core Web Vitals and errors, per release). */
  rum(environment: string, service: string, after = 0): Promise<RumPage> {
    const query = new URLSearchParams({ environment, service, after: String(after) });
    return this.call('GET', `/rum?${query}`) as Promise<RumPage>;
  }

  /** Release the connection pool. */
  close(): Promise<void> {
    return this.pool.close();
  }

  private async call(method: 'GET' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
    const what = `${method} ${path.split('?')[0]}`;
    let res: Dispatcher.ResponseData;
    try {
      res = await this.pool.request({
        method,
        path,
        headers: {
          authorization: `Bearer ${this.options.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
    } catch (e) {
      const code = (e as { code?: string }).code;
      throw new ProxyError(
        'unavailable',
        `the Slipway proxy is not reachable at ${this.address} (${what}: ${code ?? messageOf(e)}); is it running? ` +
          `\`slipway up\` starts it`,
        { admin: this.address, cause: code },
        { cause: e },
      );
    }
    const text = await res.body.text().catch((e: unknown) => {
      throw new ProxyError(
        'unavailable',
        `the Slipway proxy at ${this.address} broke off its answer to ${what}: ${messageOf(e)}`,
        { admin: this.address },
      );
    });
    let data: unknown;
    try {
      data = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new ProxyError(
        'internal',
        `the Slipway proxy at ${this.address} answered ${what} with something that is not JSON (HTTP ` +
          `${res.statusCode})`,
        { admin: this.address },
      );
    }
    if (res.statusCode >= 200 && res.statusCode < 300) return data;
    const error = (
      data as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | undefined
    )?.error;
    const code =
      error?.code !== undefined && errorCodes.has(error.code as ErrorCode)
        ? (error.code as ErrorCode)
        : codeOfHttpStatus(res.statusCode);
    const message =
      code === 'unauthorized'
        ? `the Slipway proxy at ${this.address} rejected the admin token; the proxy and this process must share its ` +
          `state dir or $SLIPWAY_PROXY_TOKEN`
        : (error?.message ?? `HTTP ${res.statusCode}`);
    throw new ProxyError(code, `${message}`, { admin: this.address, status: res.statusCode, ...error?.details });
  }
}
