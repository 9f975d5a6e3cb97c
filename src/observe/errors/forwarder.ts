import { Counter, type Registry } from 'prom-client';
import { messageOf } from '../../shared/errors.js';
import type { Logger } from '../../shared/logging.js';

/** Where one environment's events go upstream: a Sentry DSN taken apart. */
export interface UpstreamDsn {
  /** `https://o1.ingest.sentry.io` (scheme, host, port and any path prefix). */
  origin: string;
  publicKey: string;
  projectId: string;
}

/** Parse `https://<key>@<host>[/<prefix>]/<project id>`; undefined (not thrown) for anything else. */
export function parseUpstreamDsn(dsn: string): UpstreamDsn | undefined {
  let url: URL;
  try {
    url = new URL(dsn.trim());
  } catch {
    return undefined;
  }
  const parts = url.pathname.split('/').filter(Boolean);
  const projectId = parts.pop();
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !url.username || !projectId) return undefined;
  if (!/^\d+$/.test(projectId)) return undefined;
  const prefix = parts.length ? `/${parts.join('/')}` : '';
  return { origin: `${url.protocol}//${url.host}${prefix}`, publicKey: decodeURIComponent(url.username), projectId };
}

export interface ForwarderOptions {
  logger: Logger;
  registry?: Registry;
  /** The upstream DSN of an environment, or undefined when it forwards nothing (read from its secrets). */
  upstreamFor(project: string, environment: string): Promise<string | undefined>;
  /** Bodies waiting to go upstream; past it new ones are dropped (counted). */
  maxQueued?: number;
  /** Attempts per body before it is dropped (counted and logged). */
  attempts?: number;
  /** First retry delay; doubles each attempt (Retry-After wins when upstream sends one). */
  backoffMs?: number;
  timeoutMs?: number;
  /** Requests upstream at once. */
  concurrency?: number;
}

interface Pending {
  project: string;
  environment: string;
  kind: 'envelope' | 'store';
  body: Buffer;
  encoding: string | undefined;
  attempt: number;
}

const userAgent = 'slipway-relay/0.1';

/**
 * Relays what the ingest accepted to the team's own Sentry, as it was sent (same bytes, same
 * Content-Encoding), authenticated with the upstream DSN's key. It never blocks ingest: `offer`
 * only queues (bounded), requests go out in the background, failures (network, 5xx, 429) are
 * retried with exponential backoff, and what cannot be delivered is dropped with a counter and a
 * log line (which names the project and environment, never the DSN or its key).
 */
export class SentryForwarder {
  private readonly queue: Pending[] = [];
  private active = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly idle = new Set<() => void>();
  private readonly outcome: Counter<'outcome'>;
  private closed = false;

  constructor(private readonly o: ForwarderOptions) {
    const name = 'slipway_error_envelopes_forwarded_total';
    this.outcome =
      (o.registry?.getSingleMetric(name) as Counter<'outcome'> | undefined) ??
      new Counter({
        name,
        help: 'Envelopes relayed to an upstream Sentry, by outcome (sent, dropped_full, dropped_failed, refused)',
        labelNames: ['outcome'],
        registers: o.registry ? [o.registry] : [],
      });
  }

  /** Queue a body the ingest accepted; returns at once. */
  offer(project: string, environment: string, kind: 'envelope' | 'store', body: Buffer, encoding?: string): void {
    if (this.closed) return;
    if (this.queue.length >= (this.o.maxQueued ?? 10_000)) {
      this.outcome.inc({ outcome: 'dropped_full' });
      return;
    }
    this.queue.push({ project, environment, kind, body, encoding, attempt: 0 });
    this.pump();
  }

  /** Wait until nothing is queued, in flight or waiting for a retry (tests, shutdown). */
  async drained(): Promise<void> {
    if (this.busy()) await new Promise<void>((resolve) => this.idle.add(resolve));
  }

  /** Stop: pending retries are dropped, requests in flight finish. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.queue.length = 0;
    if (!this.busy()) this.wake();
    await this.drained();
  }

  private wake(): void {
    const waiting = [...this.idle];
    this.idle.clear();
    for (const resolve of waiting) resolve();
  }

  private busy(): boolean {
    return this.queue.length > 0 || this.active > 0 || this.timers.size > 0;
  }

  private pump(): void {
    while (this.active < (this.o.concurrency ?? 4) && this.queue.length > 0) {
      const p = this.queue.shift()!;
      this.active++;
      void this.send(p).finally(() => {
        this.active--;
        this.pump();
        if (!this.busy()) this.wake();
      });
    }
  }

  private async send(p: Pending): Promise<void> {
    let upstream: UpstreamDsn | undefined;
    try {
      const dsn = await this.o.upstreamFor(p.project, p.environment);
      if (dsn === undefined) return;
      upstream = parseUpstreamDsn(dsn);
      if (!upstream) {
        this.outcome.inc({ outcome: 'refused' });
        this.o.logger.warn(
          { project: p.project, environment: p.environment },
          'the upstream Sentry DSN of this environment is not a DSN (https://<key>@<host>/<project id>); not forwarded',
        );
        return;
      }
    } catch (e) {
      return this.retry(p, undefined, `reading the upstream DSN: ${messageOf(e)}`);
    }
    const headers: Record<string, string> = {
      'content-type': p.kind === 'store' ? 'application/json' : 'application/x-sentry-envelope',
      'x-sentry-auth': `Sentry sentry_version=7, sentry_key=${upstream.publicKey}, sentry_client=${userAgent}`,
      'user-agent': userAgent,
    };
    if (p.encoding) headers['content-encoding'] = p.encoding;
    const url = `${upstream.origin}/api/${upstream.projectId}/${p.kind}/`;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers,
        body: p.body,
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) {
        this.outcome.inc({ outcome: 'sent' });
        return;
      }
      if (res.status === 429 || res.status >= 500) {
        const after = Number(res.headers.get('retry-after'));
        return this.retry(p, Number.isFinite(after) && after >= 0 ? after * 1000 : undefined, `HTTP ${res.status}`);
      }
      this.outcome.inc({ outcome: 'refused' });
      this.o.logger.warn(
        { project: p.project, environment: p.environment, status: res.status },
        'the upstream Sentry refused an envelope; not retried',
      );
    } catch (e) {
      return this.retry(p, undefined, messageOf(e));
    }
  }

  private retry(p: Pending, afterMs: number | undefined, reason: string): void {
    p.attempt++;
    if (this.closed || p.attempt >= (this.o.attempts ?? 5)) {
      this.outcome.inc({ outcome: 'dropped_failed' });
      this.o.logger.warn(
        { project: p.project, environment: p.environment, attempts: p.attempt, reason },
        'could not relay an envelope to the upstream Sentry; dropped it',
      );
      return;
    }
    const delay = afterMs ?? (this.o.backoffMs ?? 1000) * 2 ** (p.attempt - 1);
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        this.queue.push(p);
        this.pump();
      },
      Math.min(delay, 300_000),
    );
    timer.unref();
    this.timers.add(timer);
  }
}
