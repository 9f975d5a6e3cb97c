import type { EnvironmentRoutes, SamplesPage, TrafficStats, UpstreamStatus } from '../router.js';
import type { Logger } from '../../shared/logging.js';
import type { DataPlaneOptions } from './data-plane.js';
import { defaultDrainTimeoutMs, defaultForwardOptions } from './forward-defaults.js';
import { ProxyError } from './errors.js';
import { type MetricsUpstream, renderMetrics } from './metrics.js';
import { ParentListener } from './parent-listener.js';
import type { Plane } from './plane.js';
import type { ReleaseRecorder } from './release-stats.js';
import { defaultRumLimits } from './rum-limits.js';
import { RumRegistry, type RumPage } from './rum-samples.js';
import { ingestSamples, type PendingBatch } from './sample-batch.js';
import { TrafficStatsRegistry } from './traffic-stats.js';
import { upstreamKey } from './upstream-key.js';
import { type PoolWorker, WorkerPool } from './worker-pool.js';
import { type FromWorker, sampleFields, type WorkerUpstream } from './worker-protocol.js';

/** Finished requests the parent holds uncounted at most (about a second at 100,000 req/s). */
const maxPendingRows = 100_000;

/** What the parent needs: the worker count, and what a DataPlane takes. */
export interface ParentPlaneOptions {
  workers: number;
  logger: Logger;
  forward?: DataPlaneOptions['forward'];
  drainTimeoutMs?: number;
  persist?: (environments: EnvironmentRoutes[]) => Promise<void>;
}

/**
 * The proxy's parent process: holds the listening sockets and the route tables, pushes tables
 * to the workers, and owns the figures (counters, histograms, sample and RUM rings) the workers
 * send it, so they are summed over every worker and survive a worker's death. Changes are
 * serialised and all or nothing, as in DataPlane.
 */
export class ParentPlane implements Plane {
  readonly startedAt = Date.now();
  private readonly tables = new Map<string, EnvironmentRoutes>();
  private readonly listeners = new Map<string, ParentListener>();
  private readonly traffic = new TrafficStatsRegistry(this.startedAt);
  private readonly rumRegistry = new RumRegistry(this.startedAt);
  private readonly recorders = new WeakMap<PoolWorker, Map<number, ReleaseRecorder>>();
  private readonly pool: WorkerPool;
  private readonly drainTimeoutMs: number;
  private queue: Promise<unknown> = Promise.resolve();
  private pending: PendingBatch[] = [];
  private pendingRows = 0;

  constructor(private readonly options: ParentPlaneOptions) {
    this.drainTimeoutMs = options.drainTimeoutMs ?? defaultDrainTimeoutMs;
    const workers = options.workers;
    this.pool = new WorkerPool({
      size: workers,
      logger: options.logger,
      init: () => ({
        t: 'init',
        tables: [...this.tables.values()],
        forward: { ...defaultForwardOptions, ...options.forward },
        // Each worker takes its share of the beacon rate, so the proxy as a whole keeps the documented limit.
        rumLimits: {
          ratePerSecond: Math.max(1, defaultRumLimits.ratePerSecond / workers),
          burst: Math.max(1, Math.ceil(defaultRumLimits.burst / workers)),
        },
        drainTimeoutMs: this.drainTimeoutMs,
      }),
      onMessage: (worker, message) => this.onWorkerMessage(worker, message),
    });
  }

  /** Open the listeners of the saved tables, start the workers, then route connections to them. All or nothing. */
  async start(tables: EnvironmentRoutes[]): Promise<void> {
    const opened: ParentListener[] = [];
    try {
      for (const routes of tables) {
        this.checkListenFree(routes);
        const listener = await ParentListener.open(routes.environment, routes.listen);
        opened.push(listener);
        this.listeners.set(routes.environment, listener);
        this.adopt(routes);
      }
      await this.pool.start();
    } catch (e) {
      for (const l of opened) l.close();
      this.listeners.clear();
      await this.pool.close(0);
      throw e;
    }
    for (const l of opened) l.route((socket) => this.pool.handOff(l.environment, socket));
  }

  /** Process ids of the live workers (the admin API's /healthz lists them). */
  workerPids(): number[] {
    return this.pool.pids();
  }

  apply(routes: EnvironmentRoutes): Promise<void> {
    return this.serialize(async () => {
      this.checkListenFree(routes);
      const current = this.listeners.get(routes.environment);
      const fresh =
        current?.listen === routes.listen ? undefined : await ParentListener.open(routes.environment, routes.listen);
      try {
        await this.options.persist?.(this.tablesWith(routes.environment, routes));
      } catch (e) {
        fresh?.close();
        throw e;
      }
      this.adopt(routes);
      await this.pool.broadcast({ t: 'apply', id: 0, routes });
      if (fresh !== undefined) {
        this.listeners.set(routes.environment, fresh);
        fresh.route((socket) => this.pool.handOff(routes.environment, socket));
        current?.close();
      }
      this.options.logger.info({ environment: routes.environment, listen: routes.listen }, 'route table applied');
    });
  }

  remove(environment: string): Promise<boolean> {
    return this.serialize(async () => {
      const current = this.listeners.get(environment);
      if (current === undefined) return false;
      await this.options.persist?.(this.tablesWith(environment, undefined));
      this.listeners.delete(environment);
      this.tables.delete(environment);
      current.close();
      await this.pool.broadcast({ t: 'remove', id: 0, environment });
      this.options.logger.info({ environment }, 'route table removed');
      return true;
    });
  }

  routes(): EnvironmentRoutes[] {
    return [...this.tables.values()];
  }

  async upstreams(): Promise<UpstreamStatus[]> {
    return (await this.mergedUpstreams()).map((u) => ({
      environment: u.environment,
      service: u.service,
      release: u.release,
      id: u.id,
      address: u.address,
      inFlight: u.inFlight,
      state: u.draining ? 'draining' : 'active',
    }));
  }

  async stats(): Promise<TrafficStats> {
    await this.sync();
    return this.traffic.snapshot(Date.now());
  }

  async samples(environment: string, service: string, after: number): Promise<SamplesPage> {
    await this.sync();
    return this.traffic.samples(environment, service, after);
  }

  async rum(environment: string, service: string, after: number): Promise<RumPage> {
    await this.sync();
    return this.rumRegistry.samples(environment, service, after);
  }

  async metrics(): Promise<string> {
    const upstreams = await this.mergedUpstreams();
    return renderMetrics(this.traffic.snapshot(Date.now()), upstreams, this.startedAt);
  }

  /** Stop accepting, then let every worker finish its in-flight requests (up to `timeoutMs`). */
  close(timeoutMs: number): Promise<void> {
    return this.serialize(async () => {
      for (const l of this.listeners.values()) l.close();
      this.listeners.clear();
      await this.pool.close(timeoutMs);
    });
  }

  /** Every worker flushes what it recorded, then the parent counts it all in finish order. */
  private async sync(): Promise<void> {
    await this.pool.reports();
    this.ingest();
  }

  private ingest(): void {
    const batches = this.pending;
    this.pending = [];
    this.pendingRows = 0;
    ingestSamples(batches);
  }

  /** Take a table as the one in force (before the workers are told, so a worker starting now gets it). */
  private adopt(routes: EnvironmentRoutes): void {
    this.tables.set(routes.environment, routes);
    // Every routed release shows in /stats from now on, with zero counts until traffic arrives.
    for (const route of routes.routes)
      for (const set of route.releases) this.traffic.recorder(routes.environment, route.service, set.release);
  }

  /** Upstreams summed over the workers: the table's (active) in table order, then those still draining somewhere. */
  private async mergedUpstreams(): Promise<MetricsUpstream[]> {
    const summed = new Map<string, WorkerUpstream>();
    const reports = await this.pool.reports();
    this.ingest();
    for (const report of reports) {
      for (const u of report) {
        const key = upstreamKey(u.environment, u.service, u.release, u.id, u.address);
        const seen = summed.get(key);
        if (seen === undefined) summed.set(key, { ...u });
        else {
          seen.inFlight += u.inFlight;
          seen.draining &&= u.draining;
          seen.ejectedUntil = Math.max(seen.ejectedUntil, u.ejectedUntil);
        }
      }
    }
    const out: MetricsUpstream[] = [];
    const active = new Set<string>();
    for (const table of this.tables.values())
      for (const route of table.routes)
        for (const set of route.releases)
          for (const u of set.upstreams) {
            const key = upstreamKey(table.environment, route.service, set.release, u.id, u.address);
            if (active.has(key)) continue;
            active.add(key);
            const seen = summed.get(key);
            out.push({
              environment: table.environment,
              service: route.service,
              release: set.release,
              id: u.id,
              address: u.address,
              inFlight: seen?.inFlight ?? 0,
              draining: false,
              ejectedUntil: seen?.ejectedUntil ?? 0,
            });
          }
    for (const [key, u] of summed) if (!active.has(key)) out.push({ ...u, draining: true });
    return out;
  }

  private onWorkerMessage(worker: PoolWorker, message: FromWorker): void {
    let byRid = this.recorders.get(worker);
    if (byRid === undefined) {
      byRid = new Map();
      this.recorders.set(worker, byRid);
    }
    switch (message.t) {
      case 'recorder':
        byRid.set(message.rid, this.traffic.recorder(message.environment, message.service, message.release));
        return;
      case 'samples':
        this.pending.push({ data: message.data, byRid });
        this.pendingRows += message.data.length / sampleFields;
        // Counted at the next read; a reader that stays away does not make the parent hold more than this.
        if (this.pendingRows > maxPendingRows) this.ingest();
        return;
      case 'rum': {
        const { environment, service, release, at, name, value, view } = message;
        this.rumRegistry.record(environment, service, release, at, { name, value, view });
        return;
      }
      default:
        this.options.logger.warn({ message: message.t }, 'unexpected message from a proxy worker');
    }
  }

  private checkListenFree(routes: EnvironmentRoutes): void {
    for (const [environment, l] of this.listeners) {
      if (environment !== routes.environment && l.listen === routes.listen) {
        throw new ProxyError(
          'conflict',
          `listen address ${routes.listen} of environment "${routes.environment}" is already used by environment ` +
            `"${environment}"`,
          { environment: routes.environment, listen: routes.listen, usedBy: environment },
        );
      }
    }
  }

  private tablesWith(environment: string, routes: EnvironmentRoutes | undefined): EnvironmentRoutes[] {
    const out = this.routes().filter((t) => t.environment !== environment);
    if (routes) out.push(routes);
    return out;
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }
}
