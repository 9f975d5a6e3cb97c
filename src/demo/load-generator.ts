import { Pool } from 'undici';

/** One kind of request the generator sends, with its share of the traffic. */
export interface RequestMix {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  /** Relative share (e.g. 0.99 and 0.01). */
  share: number;
}

export interface LoadOptions {
  /** Base URL, e.g. http://127.0.0.1:8081 */
  url: string;
  /** Requests per second, open loop: requests start on schedule whether or not earlier ones finished. */
  rate: number;
  mix: RequestMix[];
  /** Client connections (keep-alive). */
  connections?: number;
  /** Per-request timeout (ms). */
  timeoutMs?: number;
  /**
   * Latency from when each request was due ('scheduled', the default: a stalled server is
   * charged for the requests that waited) or from when it was actually sent ('sent': isolates
   * the server's own latency from the generator's timer jitter).
   */
  measureFrom?: 'scheduled' | 'sent';
  /**
   * Send a GET again, once, when its connection closed before any response byte, as browsers do for idempotent
   * requests (RFC 9110 §9.2.2). Counted in `retried`; default false (every such request counts as failed).
   */
  retryResets?: boolean;
  /** Called for every response (the canary benchmark times the first bad one of a release). */
  onResponse?: (response: { at: number; release: string | undefined; status: number; latencyMs: number }) => void;
}

export interface LoadFailure {
  at: number;
  path: string;
  status?: number;
  error?: string;
  /** The release that answered (X-Release), when one did. */
  release?: string;
}

export interface LoadReport {
  requests: number;
  ok: number;
  failed: number;
  /** Requests sent a second time after their connection closed before any response byte (retryResets). */
  retried: number;
  /** Latency percentiles in ms, measured from each request's scheduled start (no coordinated omission). */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  durationMs: number;
  achievedRps: number;
  /** The first few failures, for diagnosis. */
  failures: LoadFailure[];
  /** Responses by the X-Release header the example app sets (which release served them). */
  byRelease: Record<string, number>;
  /** Failed responses (status >= 500) by the release that answered (X-Release); network failures are not here. */
  failedByRelease: Record<string, number>;
  /** Latency percentiles per kind of request (method and path of the mix). */
  byRequest: Record<string, { requests: number; p50Ms: number; p99Ms: number }>;
}

/** How a keep-alive connection that the server side closed (or a process that died) fails a request. */
const resetCodes = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

/** Percentile of a sorted array (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * An open-loop HTTP load generator: drives a fixed request rate through keep-alive connections
 * and records every outcome. A request counts as failed when it gets no response or a status
 * >= 500 (the app's 4xx answers are not the proxy's failures).
 */
export class LoadGenerator {
  private readonly pool: Pool;
  private timer?: NodeJS.Timeout;
  private readonly latencies: number[] = [];
  private readonly latenciesByMix: number[][];
  private readonly failures: LoadFailure[] = [];
  private readonly byRelease: Record<string, number> = {};
  private readonly failedByRelease: Record<string, number> = {};
  private readonly inFlight = new Set<Promise<void>>();
  private sent = 0;
  private ok = 0;
  private failed = 0;
  private retried = 0;
  private startedAt = 0;
  private readonly cumulative: number[];

  constructor(private readonly options: LoadOptions) {
    this.pool = new Pool(options.url, {
      connections: options.connections ?? 128,
      pipelining: 1,
      keepAliveTimeout: 30_000,
    });
    const total = options.mix.reduce((n, m) => n + m.share, 0);
    let acc = 0;
    this.cumulative = options.mix.map((m) => (acc += m.share / total));
    this.latenciesByMix = options.mix.map(() => []);
  }

  /** Start sending. */
  start(): void {
    this.startedAt = performance.now();
    const tick = () => {
      const due = Math.floor(((performance.now() - this.startedAt) / 1000) * this.options.rate);
      while (this.sent < due) {
        const scheduled = this.startedAt + (this.sent * 1000) / this.options.rate;
        this.sent++;
        this.fire(scheduled);
      }
    };
    this.timer = setInterval(tick, 1);
  }

  /** Counts so far (while running). */
  snapshot(): { requests: number; ok: number; failed: number; byRelease: Record<string, number> } {
    return { requests: this.ok + this.failed, ok: this.ok, failed: this.failed, byRelease: { ...this.byRelease } };
  }

  /** Stop sending, wait for in-flight requests, and report. */
  async stop(): Promise<LoadReport> {
    if (this.timer) clearInterval(this.timer);
    const durationMs = performance.now() - this.startedAt;
    await Promise.allSettled([...this.inFlight]);
    await this.pool.close();
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return {
      requests: this.ok + this.failed,
      ok: this.ok,
      failed: this.failed,
      retried: this.retried,
      p50Ms: round(percentile(sorted, 50)),
      p99Ms: round(percentile(sorted, 99)),
      maxMs: round(sorted.at(-1) ?? 0),
      durationMs: Math.round(durationMs),
      achievedRps: Math.round(((this.ok + this.failed) / durationMs) * 1000),
      failures: this.failures,
      byRelease: this.byRelease,
      failedByRelease: this.failedByRelease,
      byRequest: Object.fromEntries(
        this.options.mix.map((m, i) => {
          const sortedMix = [...this.latenciesByMix[i]!].sort((a, b) => a - b);
          return [
            `${m.method} ${m.path}`,
            {
              requests: sortedMix.length,
              p50Ms: round(percentile(sortedMix, 50)),
              p99Ms: round(percentile(sortedMix, 99)),
            },
          ];
        }),
      ),
    };
  }

  private pick(): number {
    const r = Math.random();
    const i = this.cumulative.findIndex((c) => r <= c);
    return i < 0 ? this.options.mix.length - 1 : i;
  }

  private fire(due: number): void {
    const index = this.pick();
    const m = this.options.mix[index]!;
    const scheduled = this.options.measureFrom === 'sent' ? performance.now() : due;
    const send = () =>
      this.pool.request({
        method: m.method,
        path: m.path,
        body: m.body,
        headers: m.body ? { 'content-type': 'application/json' } : {},
        headersTimeout: this.options.timeoutMs ?? 30_000,
        bodyTimeout: this.options.timeoutMs ?? 30_000,
      });
    const retryable = this.options.retryResets === true && m.method === 'GET';
    const p = send()
      .catch((e: Error & { code?: string }) => {
        // No response yet (pool.request had not resolved): the request is safe to send again.
        if (!retryable || !resetCodes.has(e.code ?? '')) throw e;
        this.retried++;
        return send();
      })
      .then(async (res) => {
        await res.body.dump();
        const release = res.headers['x-release'];
        this.options.onResponse?.({
          at: Date.now(),
          release: typeof release === 'string' ? release : undefined,
          status: res.statusCode,
          latencyMs: performance.now() - scheduled,
        });
        if (typeof release === 'string') this.byRelease[release] = (this.byRelease[release] ?? 0) + 1;
        if (res.statusCode >= 500) {
          if (typeof release === 'string') this.failedByRelease[release] = (this.failedByRelease[release] ?? 0) + 1;
          this.fail({
            at: Date.now(),
            path: m.path,
            status: res.statusCode,
            ...(typeof release === 'string' ? { release } : {}),
          });
        } else this.ok++;
      })
      .catch((e: Error) => this.fail({ at: Date.now(), path: m.path, error: e.message }))
      .finally(() => {
        const latency = performance.now() - scheduled;
        this.latencies.push(latency);
        this.latenciesByMix[index]!.push(latency);
        this.inFlight.delete(p);
      });
    this.inFlight.add(p);
  }

  private fail(f: LoadFailure): void {
    this.failed++;
    if (this.failures.length < 20) this.failures.push(f);
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
