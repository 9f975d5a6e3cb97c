/**
 * Where the canary analysis gets its figures. A source measures the candidate and the stable
 * release over a window (and the stable release's baseline from before the deployment, when it
 * can). Outside systems fail as data: a source never throws — a failure is a measurement with
 * phase `error`, an empty result one with phase `nodata`; the judge decides what they mean.
 */

/** What to measure: one service in one environment, candidate against stable. */
export interface SignalQuery {
  project: string;
  service: string;
  environment: string;
  /** Release versions. */
  stable: string;
  candidate: string;
  /** The window, ms since the epoch: [from, to). */
  from: number;
  to: number;
  /** When the deployment started: the stable release's traffic before it is its baseline. */
  baselineUntil: number;
}

/** Requests of one release in a window: the error count and the raw latencies. */
export interface RequestWindow {
  /** Requests answered (any status). */
  total: number;
  /** Server errors: 5xx from the instance or 502/503/504 from the proxy. */
  errors: number;
  /** Latency of each request in ms (all of them, or a uniform subsample when there are many). */
  latenciesMs: number[];
}

/** Synthetic checks (HTTP probes) against one release. */
export interface CheckWindow {
  passed: number;
  failed: number;
  /** What the last failing check saw, for people ("POST /quotes: premium 102668.99, expected 98000"). */
  lastFailure?: string;
}

/** Real users' page views of one release in a window, from RUM beacons (the browser's web-vitals and errors). */
export interface RumWindow {
  /**
   * Page views: LCP reports. web-vitals reports LCP once for each page load that is shown (and
   * again after a back/forward-cache restore, which is another view), so they count views.
   */
  pageViews: number;
  /**
   * Page views that reported a JavaScript error: error beacons with the same `id` (the page's
   * view id) are one view, so a page that throws in a loop counts once; one without an id counts alone.
   */
  errorViews: number;
  /** Largest Contentful Paint of each page view in ms (all, or a uniform subsample when there are many). */
  lcpMs: number[];
}

/** An issue (grouped SDK error events) a release reported in a window. */
export interface WindowIssue {
  id: string;
  title: string;
  /** The frame it surfaced in ("priceWithFallback (server.js:41)"), for people. */
  culprit?: string;
  level: string;
  unhandled: boolean;
  /** Its events from this release in the window. */
  count: number;
  /** Whether the other release (the stable one, for the candidate) ever reported it in this environment. */
  seenInOther: boolean;
}

/** Errors one release reported through a Sentry SDK in a window (error ingest), and its SDK sessions. */
export interface ErrorWindow {
  /** Error events (not transactions). */
  events: number;
  /** Issues with events in the window, most events first (at most a few dozen). */
  issues: WindowIssue[];
  /** Sessions started in the window and those of them that crashed (SDK release health). */
  sessions: number;
  crashedSessions: number;
}

interface MeasurementBase {
  /** Metric name as configured or built in ("requests", "error-rate", "quote-premium"…). */
  metric: string;
  /** Source name ("proxy", "prometheus", "http-probe"). */
  source: string;
  from: number;
  to: number;
}

export type Measurement =
  /** Live traffic per release (built-in proxy): the judge derives error rate and latency from it. */
  | (MeasurementBase & {
      phase: 'ok';
      kind: 'requests';
      candidate: RequestWindow;
      stable: RequestWindow;
      baseline?: RequestWindow;
    })
  /** One number per release (a PromQL result); `higherIsWorse` tells the judge which way is bad. */
  | (MeasurementBase & {
      phase: 'ok';
      kind: 'value';
      candidate: number;
      stable: number;
      baseline?: number;
      unit?: string;
      higherIsWorse: boolean;
    })
  /** Real users of a frontend (RUM beacons): the judge compares LCP p75 and the JS error rate. */
  | (MeasurementBase & { phase: 'ok'; kind: 'rum'; candidate: RumWindow; stable: RumWindow; baseline?: RumWindow })
  /** Errors the releases' Sentry SDKs reported: new issues, events per request, crash-free sessions. */
  | (MeasurementBase & {
      phase: 'ok';
      kind: 'errors';
      candidate: ErrorWindow;
      stable: ErrorWindow;
      baseline?: ErrorWindow;
    })
  /** Synthetic checks against the candidate (a correctness canary). */
  | (MeasurementBase & { phase: 'ok'; kind: 'checks'; candidate: CheckWindow })
  | (MeasurementBase & { phase: 'error'; message: string })
  | (MeasurementBase & { phase: 'nodata'; message: string });

export interface SignalSource {
  /** Short name, stored with every measurement. */
  readonly name: string;
  /**
   * Measure the window. Never throws; never blocks past `signal` (abort → phase `error`).
   * May keep state between calls (a cursor over the proxy's samples), so one source instance
   * serves one analysis.
   */
  measure(query: SignalQuery, signal?: AbortSignal): Promise<Measurement[]>;
  /** Release whatever the source holds (connections, timers). Idempotent. */
  close(): Promise<void>;
}
