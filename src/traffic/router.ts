/**
 * The data plane seen from the engine: route tables in, traffic figures out.
 * The built-in proxy (a separate process, src/traffic/proxy/) is the embedded default;
 * HAProxy's runtime API is another (src/traffic/haproxy/). Every router, and the fake the
 * engine tests use, passes the contract suite in router.contract.ts.
 *
 * The data plane keeps serving its last tables while the coordinator is away, and after its own
 * restart (which resets its counters: `startedAt` changes). Calls fail with a SlipwayError whose
 * code says why: `unavailable` (the data plane cannot be reached), `invalid_input` (a bad table,
 * naming the key path), `conflict` (a listen address already in use); `healthy` never throws.
 */

/** The whole route table of one environment: one listener, routes by host and path prefix. */
export interface EnvironmentRoutes {
  environment: string;
  /** host:port the environment's traffic is served on, e.g. "127.0.0.1:8080". */
  listen: string;
  routes: Route[];
}

export interface Route {
  service: string;
  /** Longest matching pathPrefix wins; `host` (when set) must equal the Host header without port. */
  match: { pathPrefix: string; host?: string };
  /**
   * Weighted release sets; weights are relative (0 means no share of untargeted traffic). A request
   * naming a set (header `X-Slipway-Release: stable|candidate|<version>` or cookie `slipway-release`)
   * goes to it even at weight 0 while it has an upstream, else to the weighted split.
   */
  releases: ReleaseSet[];
  /** Keep a client on the release it first got (cookie `slipway-release`). Default false. */
  sticky?: boolean;
}

export interface ReleaseSet {
  /** Release version. */
  release: string;
  role: 'stable' | 'candidate';
  weight: number;
  /** Instances in rotation. An empty set takes no traffic whatever its weight. */
  upstreams: Upstream[];
}

export interface Upstream {
  /** Instance id. */
  id: string;
  /** host:port */
  address: string;
}

/** One upstream as the data plane sees it now. */
export interface UpstreamStatus {
  environment: string;
  service: string;
  release: string;
  id: string;
  address: string;
  /** Requests proxied to it and not yet finished. */
  inFlight: number;
  /** `draining`: removed from the route table, still finishing requests. */
  state: 'active' | 'draining';
}

/** Status classes counted per release; `proxyError` = the proxy answered 502/503/504 itself. */
export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'proxyError';

/** Cumulative since the data plane started; consumers take differences between two reads. */
export interface ReleaseStats {
  requests: Record<StatusClass, number>;
  /**
   * Latency histogram in milliseconds: counts[i] = requests with latency <= bucketsMs[i] (not cumulative;
   * the last bucket is +Inf).
   */
  latency: { bucketsMs: number[]; counts: number[]; sumMs: number; count: number };
}

export interface TrafficStats {
  /** When the data plane process started (ms since epoch): a change means counters were reset. */
  startedAt: number;
  at: number;
  /** environment → service → release → stats */
  environments: Record<string, Record<string, Record<string, ReleaseStats>>>;
}

/** One finished request as the data plane recorded it (for the canary judge). */
export interface TrafficSample {
  /** Position in the service's sample sequence (1, 2, ...); pass the last one seen as `after`. */
  seq: number;
  release: string;
  /** When the request finished (ms since epoch). */
  at: number;
  status: number;
  latencyMs: number;
  /** The data plane answered 502/503/504 itself. */
  proxyError: boolean;
}

/** A page of recent samples of one service. */
export interface SamplesPage {
  /** Data plane start time: when it changes, sequences restarted. */
  startedAt: number;
  environment: string;
  service: string;
  /** Samples with seq > after, oldest first. */
  samples: TrafficSample[];
  /** Pass as `after` next time. */
  cursor: number;
  /** Samples after `after` that already left the data plane's buffers (the reader fell behind). */
  missed: number;
}

export interface Router {
  /**
   * Replace one environment's route table (opens, or moves, its listener). Blocks until the table is
   * in force: the next request uses it. Upstreams it drops finish their requests in flight (listed
   * `draining` until then). Idempotent; all or nothing: a rejected table leaves the previous one serving.
   */
  apply(routes: EnvironmentRoutes): Promise<void>;
  /** Remove an environment's listener and routes (requests in flight finish). Idempotent; unknown ones are a no-op. */
  remove(environment: string): Promise<void>;
  /** Every upstream with its in-flight count, including draining ones. One read; never waits for traffic. */
  upstreams(): Promise<UpstreamStatus[]>;
  /** Cumulative per-release counters and latency histograms, for every release routed since the data plane started. */
  stats(): Promise<TrafficStats>;
  /** Recent raw samples of one service (every release) with seq > after; bounded per release. Never waits. */
  samples(environment: string, service: string, after?: number): Promise<SamplesPage>;
  /** Is the data plane up? Never throws. */
  healthy(): Promise<boolean>;
}
