import type { RequestWindow } from '../signal-source.js';
import { LatencyReservoir } from './latency-reservoir.js';
import { SortedTimes } from './sorted-times.js';

/** Memory bounds for one release's requests. */
export interface ReleaseRequestsLimits {
  /** Latencies kept (a uniform subsample beyond this). */
  maxLatencies: number;
  /** Finish times kept for exact counts (8 bytes each); past it the oldest half is forgotten. */
  maxRequests: number;
  /** Uniform in [0, 1), injected so tests are deterministic. */
  random: () => number;
}

/**
 * One release's requests as the proxy source has read them: exact request and error counts for
 * any window (finish times, binary-searched) and a bounded uniform sample of latencies.
 */
export class ReleaseRequests {
  private readonly all: SortedTimes;
  private readonly errors: SortedTimes;
  private readonly latencies: LatencyReservoir;

  constructor(limits: ReleaseRequestsLimits) {
    this.all = new SortedTimes(limits.maxRequests);
    this.errors = new SortedTimes(limits.maxRequests);
    this.latencies = new LatencyReservoir(limits.maxLatencies, limits.random);
  }

  /** Record one finished request. */
  add(at: number, latencyMs: number, error: boolean): void {
    this.all.add(at);
    if (error) this.errors.add(at);
    this.latencies.add(at, latencyMs);
  }

  /** Requests that finished in [from, to). */
  window(from: number, to: number): RequestWindow {
    const total = this.all.countIn(from, to);
    // Past maxRequests the two lists forget at different moments; never report more errors than requests.
    return {
      total,
      errors: Math.min(total, this.errors.countIn(from, to)),
      latenciesMs: this.latencies.latenciesIn(from, to),
    };
  }

  /** Requests forgotten to stay within maxRequests (windows reaching that far back undercount). */
  get forgotten(): number {
    return this.all.forgotten;
  }
}

/** An empty window, for a release that has not been seen. */
export function emptyWindow(): RequestWindow {
  return { total: 0, errors: 0, latenciesMs: [] };
}
