import type {
  EnvironmentRoutes,
  ReleaseStats,
  Router,
  SamplesPage,
  StatusClass,
  TrafficSample,
  TrafficStats,
  UpstreamStatus,
} from '../../src/traffic/router.js';
import { ProxyError } from '../../src/traffic/proxy/errors.js';
import { latencyBucketsMs, statusClasses } from '../../src/traffic/proxy/release-stats.js';
import { parseEnvironmentRoutes } from '../../src/traffic/proxy/route-schema.js';

/**
 * The engine's router in state-machine tests: it records every route table, checks it as the
 * proxy does, and answers from them; it has no data plane, so no request is ever in flight, and
 * its traffic is what a test feeds (`fed`). It passes the router contract suite
 * (test/router-contract.test.ts) except the parts that need a data plane.
 */
export class RecordingRouter implements Router {
  /** Every table accepted, in order. */
  readonly applied: EnvironmentRoutes[] = [];
  /**
   * Requests as the proxy would have recorded them (seq ascending), fed by a test (TrafficFeed).
   * They count as traffic of every service routed so far: tests that feed have one service.
   */
  readonly fed: TrafficSample[] = [];
  private readonly tables = new Map<string, EnvironmentRoutes>();
  /** environment → service → releases routed since the data plane started (their figures are kept). */
  private readonly known = new Map<string, Map<string, Set<string>>>();
  private startedAt = Date.now();
  private up = true;

  async apply(routes: EnvironmentRoutes): Promise<void> {
    this.assertUp();
    const table = parseEnvironmentRoutes(structuredClone(routes), `PUT /routes/${routes.environment}`);
    for (const [environment, other] of this.tables) {
      if (environment !== table.environment && other.listen === table.listen)
        throw new ProxyError(
          'conflict',
          `listen address ${table.listen} of environment "${table.environment}" ` +
            `is already used by environment "${environment}"`,
        );
    }
    this.tables.set(table.environment, table);
    this.remember(table);
    this.applied.push(structuredClone(table));
  }

  async remove(environment: string): Promise<void> {
    this.assertUp();
    this.tables.delete(environment);
  }

  /** Every upstream of the current tables; nothing is in flight, so none is ever draining. */
  async upstreams(): Promise<UpstreamStatus[]> {
    this.assertUp();
    const out = new Map<string, UpstreamStatus>();
    for (const t of this.tables.values())
      for (const r of t.routes)
        for (const s of r.releases)
          for (const u of s.upstreams) {
            const key = [t.environment, r.service, s.release, u.id, u.address].join('\0');
            const { environment, service } = { environment: t.environment, service: r.service };
            out.set(key, { environment, service, release: s.release, ...u, inFlight: 0, state: 'active' });
          }
    return [...out.values()];
  }

  async stats(): Promise<TrafficStats> {
    this.assertUp();
    const environments: TrafficStats['environments'] = {};
    for (const [environment, services] of this.known) {
      const e: Record<string, Record<string, ReleaseStats>> = {};
      environments[environment] = e;
      for (const [service, releases] of services) {
        const s: Record<string, ReleaseStats> = {};
        e[service] = s;
        for (const release of releases) s[release] = releaseStats(this.fed.filter((x) => x.release === release));
      }
    }
    return { startedAt: this.startedAt, at: Date.now(), environments };
  }

  async samples(environment: string, service: string, after = 0): Promise<SamplesPage> {
    this.assertUp();
    const routed = this.known.get(environment)?.has(service) ?? false;
    const samples = routed ? this.fed.filter((s) => s.seq > after) : [];
    const last = routed ? (this.fed.at(-1)?.seq ?? 0) : 0;
    const missed = Math.max(0, last - Math.max(after, 0) - samples.length);
    return { startedAt: this.startedAt, environment, service, samples, cursor: last, missed };
  }

  async healthy(): Promise<boolean> {
    return this.up;
  }

  /** The last table pushed for an environment. */
  last(environment: string): EnvironmentRoutes | undefined {
    return [...this.applied].reverse().find((t) => t.environment === environment);
  }

  /** The data plane dies: healthy() says false and every other call rejects as `unavailable`. */
  down(): void {
    this.up = false;
  }

  /** The data plane comes back from its saved tables, with its counters and samples reset. */
  restart(): void {
    this.up = true;
    this.startedAt = Math.max(Date.now(), this.startedAt + 1);
    this.fed.length = 0;
    this.known.clear();
    for (const t of this.tables.values()) this.remember(t);
  }

  private remember(table: EnvironmentRoutes): void {
    const services = this.known.get(table.environment) ?? new Map<string, Set<string>>();
    this.known.set(table.environment, services);
    for (const r of table.routes) {
      const releases = services.get(r.service) ?? new Set<string>();
      services.set(r.service, releases);
      for (const s of r.releases) releases.add(s.release);
    }
  }

  private assertUp(): void {
    if (!this.up) throw new ProxyError('unavailable', 'the fake data plane is down');
  }
}

function releaseStats(samples: TrafficSample[]): ReleaseStats {
  const requests = Object.fromEntries(statusClasses.map((c) => [c, 0])) as Record<StatusClass, number>;
  const counts = latencyBucketsMs.map(() => 0);
  let sumMs = 0;
  for (const s of samples) {
    const cls: StatusClass = s.proxyError ? 'proxyError' : (`${Math.floor(s.status / 100)}xx` as StatusClass);
    requests[cls]++;
    counts[latencyBucketsMs.findIndex((b) => s.latencyMs <= b)]!++;
    sumMs += s.latencyMs;
  }
  return { requests, latency: { bucketsMs: [...latencyBucketsMs], counts, sumMs, count: samples.length } };
}
