import type { TrafficSample } from '../../src/traffic/router.js';

/** A seeded PRNG (mulberry32), so a fed traffic pattern is the same on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ReleaseTraffic {
  release: string;
  /** Requests per second. */
  rate: number;
  errorRate: number;
  /** Latency in ms: base + uniform jitter. */
  latencyMs: number;
  jitterMs?: number;
  /** Share of requests answered 401 (refused logins), besides the errors. */
  authFailureRate?: number;
}

/**
 * Feeds samples into a list the way the proxy would record them, in real time (every 100 ms),
 * until stopped — the engine's canary analysis reads them through the real proxy signal source.
 */
export class TrafficFeed {
  private seq = 0;
  private timer?: NodeJS.Timeout;
  private last = 0;
  private readonly random: () => number;

  constructor(
    private readonly into: TrafficSample[],
    private releases: ReleaseTraffic[],
    seed = 1,
  ) {
    this.random = seeded(seed);
  }

  /** Samples for the past `ms` (a baseline), then live ones every 100 ms. */
  start(historyMs = 10_000): void {
    this.last = Date.now() - historyMs;
    this.tick(Date.now());
    this.timer = setInterval(() => this.tick(Date.now()), 100);
  }

  /** Change who gets traffic (e.g. the candidate joins at 5 %). */
  set(releases: ReleaseTraffic[]): void {
    this.releases = releases;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Samples for the time since the last tick, spread over it: a late timer (a busy machine) catches up. */
  private tick(now: number): void {
    const from = this.last;
    const elapsed = now - from;
    if (elapsed <= 0) return;
    this.last = now;
    for (const r of this.releases) {
      const expected = (r.rate * elapsed) / 1000;
      let n = Math.floor(expected);
      if (this.random() < expected - n) n++;
      for (let i = 0; i < n; i++) {
        const failed = this.random() < r.errorRate;
        const refused = !failed && r.authFailureRate !== undefined && this.random() < r.authFailureRate;
        this.into.push({
          seq: ++this.seq,
          release: r.release,
          at: Math.round(from + ((i + 1) * elapsed) / n),
          status: failed ? 500 : refused ? 401 : 200,
          latencyMs: r.latencyMs + this.random() * (r.jitterMs ?? 0),
          proxyError: false,
        });
      }
    }
    // The proxy keeps 4,096 samples per release; the feed keeps a similar bound.
    if (this.into.length > 40_000) this.into.splice(0, this.into.length - 40_000);
  }
}
