import type { RumWindow } from '../signal-source.js';
import { LatencyReservoir } from '../proxy/latency-reservoir.js';
import { SortedTimes } from '../proxy/sorted-times.js';

/** Memory bounds for one release's page views. */
export interface ReleaseViewsLimits {
  /** LCP values kept (a uniform subsample beyond). */
  maxLcp: number;
  /** Page-view and error times kept for exact counts (8 bytes each). */
  maxEvents: number;
  random: () => number;
}

/** One release's RUM beacons as the source has read them: exact counts per window, a bounded LCP sample. */
export class ReleaseViews {
  private readonly views: SortedTimes;
  private readonly errors: SortedTimes;
  private readonly lcp: LatencyReservoir;

  constructor(limits: ReleaseViewsLimits) {
    this.views = new SortedTimes(limits.maxEvents);
    this.errors = new SortedTimes(limits.maxEvents);
    this.lcp = new LatencyReservoir(limits.maxLcp, limits.random);
  }

  /** A page view with its LCP. */
  addLcp(at: number, ms: number): void {
    this.views.add(at);
    this.lcp.add(at, ms);
  }

  addError(at: number): void {
    this.errors.add(at);
  }

  /** Beacons received in [from, to). */
  window(from: number, to: number): RumWindow {
    return {
      pageViews: this.views.countIn(from, to),
      errors: this.errors.countIn(from, to),
      lcpMs: this.lcp.latenciesIn(from, to),
    };
  }
}

/** No beacons (a release not seen). */
export function emptyRumWindow(): RumWindow {
  return { pageViews: 0, errors: 0, lcpMs: [] };
}
