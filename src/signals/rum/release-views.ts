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
  /** First error of each page view (by view id). */
  private readonly errorViews: SortedTimes;
  private readonly seenViews = new Set<number>();
  private readonly lcp: LatencyReservoir;

  private readonly maxEvents: number;

  constructor(limits: ReleaseViewsLimits) {
    this.maxEvents = limits.maxEvents;
    this.views = new SortedTimes(limits.maxEvents);
    this.errorViews = new SortedTimes(limits.maxEvents);
    this.lcp = new LatencyReservoir(limits.maxLcp, limits.random);
  }

  /** A page view with its LCP. */
  addLcp(at: number, ms: number): void {
    this.views.add(at);
    this.lcp.add(at, ms);
  }

  /** A JS error of page view `view` (0: unknown view, counted alone); a view counts once, at its first error. */
  addError(at: number, view: number): void {
    if (view !== 0) {
      if (this.seenViews.has(view)) return;
      // Bounded like the times: past the limit, start remembering afresh (a view may then count twice).
      if (this.seenViews.size >= this.maxEvents) this.seenViews.clear();
      this.seenViews.add(view);
    }
    this.errorViews.add(at);
  }

  /** Beacons received in [from, to). */
  window(from: number, to: number): RumWindow {
    return {
      pageViews: this.views.countIn(from, to),
      errorViews: this.errorViews.countIn(from, to),
      lcpMs: this.lcp.latenciesIn(from, to),
    };
  }
}

/** No beacons (a release not seen). */
export function emptyRumWindow(): RumWindow {
  return { pageViews: 0, errorViews: 0, lcpMs: [] };
}
