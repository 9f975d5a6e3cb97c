import { messageOf } from '../../../shared/errors.js';
import type { Router } from '../../../traffic/router.js';
import type { AlertReader, AlertReading, AlertTarget } from '../reader.js';
import { ReleaseHistory, type TrafficSummary } from './traffic-history.js';

export interface TrafficReaderOptions {
  /** Only `samples` is used. */
  router: Pick<Router, 'samples'>;
  /** The data-plane environment of a Slipway environment (the engine's `${project}.${environment}`). */
  dataPlaneEnvironment: (project: string, environment: string) => string;
  /** The window the rules look at (default 60 s). */
  windowMs?: number;
  /** How much traffic makes the baseline (default 10 min). */
  baselineMs?: number;
  /** Fewer requests in the window than this: no data (default 20). */
  minRequests?: number;
  now?: () => number;
}

/** Baselines are floored so that a quiet past (no errors at all) does not make one error an alert. */
const floors = { p95Ms: 5, errorRatio: 0.005, authRatio: 0.01 };

interface ServiceTraffic {
  cursor: number;
  startedAt?: number;
  releases: Map<string, ReleaseHistory>;
}

/**
 * The built-in proxy's requests as alert readings: API p95, error ratio (5xx and the proxy's own
 * 502/503/504) and the share of 401/403 answers of the live release over the last minute, each
 * with its baseline: the previous release's traffic before the rollout while it is remembered
 * (30 min), otherwise the live release's own traffic before the window.
 */
export class TrafficReader implements AlertReader {
  readonly name = 'proxy';
  readonly scope = 'service';
  private readonly services = new Map<string, ServiceTraffic>();
  private readonly windowMs: number;
  private readonly baselineMs: number;
  private readonly minRequests: number;
  private readonly now: () => number;

  constructor(private readonly options: TrafficReaderOptions) {
    this.windowMs = options.windowMs ?? 60_000;
    this.baselineMs = options.baselineMs ?? 10 * 60_000;
    this.minRequests = options.minRequests ?? 20;
    this.now = options.now ?? Date.now;
  }

  async read(target: AlertTarget): Promise<AlertReading[]> {
    const names = ['latency_p95_ms', 'error_ratio', 'auth_failure_ratio'];
    const traffic = this.trafficOf(target);
    try {
      await this.pull(target, traffic);
    } catch (e) {
      const message = `cannot read the proxy's samples of ${target.service}: ${messageOf(e)}`;
      return names.map((name) => ({ name, labels: {}, phase: 'error' as const, message }));
    }
    const now = this.now();
    const live = traffic.releases.get(target.release);
    const current = live?.summary(now - this.windowMs, now);
    if (!current || current.total < this.minRequests) {
      const message = `${current?.total ?? 0} requests to ${target.release} in the last ${this.windowMs / 1000}s`;
      return names.map((name) => ({ name, labels: {}, phase: 'nodata' as const, message }));
    }
    const baseline = this.baselineOf(target, traffic, now);
    const ok = (name: string, value: number, base: number | undefined, detail: string): AlertReading => ({
      name,
      labels: {},
      phase: 'ok',
      value,
      ...(base !== undefined ? { baseline: base } : {}),
      detail,
    });
    const of = (s: TrafficSummary) => `${s.total} requests`;
    const b = baseline && baseline.summary.total >= this.minRequests ? baseline : undefined;
    const against = b ? ` (baseline ${b.from}: ${of(b.summary)})` : ' (no baseline yet)';
    return [
      ok(
        'latency_p95_ms',
        current.p95Ms,
        b && Math.max(b.summary.p95Ms, floors.p95Ms),
        `p95 over ${of(current)}${against}`,
      ),
      ok(
        'error_ratio',
        current.errors / current.total,
        b && Math.max(b.summary.errors / b.summary.total, floors.errorRatio),
        `${current.errors} errors in ${of(current)}${against}`,
      ),
      ok(
        'auth_failure_ratio',
        current.authFailures / current.total,
        b && Math.max(b.summary.authFailures / b.summary.total, floors.authRatio),
        `${current.authFailures} 401/403 in ${of(current)}${against}`,
      ),
    ];
  }

  async close(): Promise<void> {
    this.services.clear();
  }

  private baselineOf(target: AlertTarget, traffic: ServiceTraffic, now: number) {
    const previous = target.previousRelease ? traffic.releases.get(target.previousRelease) : undefined;
    const before = previous?.summary(target.liveSince - this.baselineMs, target.liveSince);
    if (before && before.total >= this.minRequests) return { from: target.previousRelease!, summary: before };
    const live = traffic.releases.get(target.release);
    const end = now - this.windowMs;
    return live ? { from: `${target.release} earlier`, summary: live.summary(end - this.baselineMs, end) } : undefined;
  }

  private trafficOf(target: AlertTarget): ServiceTraffic {
    const key = `${target.project}/${target.environment}/${target.service}`;
    let traffic = this.services.get(key);
    if (!traffic) {
      traffic = { cursor: 0, releases: new Map() };
      this.services.set(key, traffic);
    }
    return traffic;
  }

  private async pull(target: AlertTarget, traffic: ServiceTraffic): Promise<void> {
    const environment = this.options.dataPlaneEnvironment(target.project, target.environment);
    let page = await this.options.router.samples(environment, target.service, traffic.cursor);
    if (traffic.startedAt !== undefined && page.startedAt !== traffic.startedAt) {
      traffic.cursor = 0; // the proxy restarted: its sequence began again
      page = await this.options.router.samples(environment, target.service, 0);
    }
    traffic.startedAt = page.startedAt;
    for (const s of page.samples) {
      if (s.seq <= traffic.cursor) continue;
      let history = traffic.releases.get(s.release);
      if (!history) {
        history = new ReleaseHistory(this.baselineMs + this.windowMs + 20 * 60_000, 400_000);
        traffic.releases.set(s.release, history);
      }
      history.add({ at: s.at, latencyMs: s.latencyMs, status: s.status, proxyError: s.proxyError });
    }
    traffic.cursor = Math.max(traffic.cursor, page.cursor);
    const now = this.now();
    for (const history of traffic.releases.values()) history.trim(now);
  }
}
