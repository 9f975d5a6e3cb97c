import type { Socket } from 'node:net';
import type { EnvironmentRoutes, TrafficStats, UpstreamStatus } from '../router.js';
import type { Logger } from '../../shared/logging.js';
import { EnvironmentListener } from './environment-listener.js';
import { defaultDrainTimeoutMs, defaultForwardOptions } from './forward-defaults.js';
import { ProxyError } from './errors.js';
import type { ForwardOptions } from './exchange.js';
import { renderMetrics } from './metrics.js';
import type { Plane } from './plane.js';
import { type CompiledTable, compileTable } from './route-table.js';
import { RumIntake } from './rum-intake.js';
import type { RumLimits } from './rum-limits.js';
import type { RecorderSource } from './release-stats.js';
import { RumRegistry, type RumPage, type RumSink } from './rum-samples.js';
import { TrafficStatsRegistry, type SamplesPage } from './traffic-stats.js';
import { UpstreamRegistry, type UpstreamState } from './upstream.js';

/** What a DataPlane needs: a logger, forwarding tunables, and where to save the state. */
export interface DataPlaneOptions {
  logger: Logger;
  forward?: Partial<Omit<ForwardOptions, 'logger'>>;
  drainTimeoutMs?: number;
  /** Saves the whole state before a change takes effect; a rejection cancels the change. */
  persist?: (environments: EnvironmentRoutes[]) => Promise<void>;
  /** RUM beacon rate per environment (default defaultRumLimits). */
  rumLimits?: RumLimits;
  /**
   * A worker's data plane: listeners bind nothing and take the connections the parent accepted (accept()),
   * finished requests go to `recorders` and beacons to `rumSink` (both the parent's, over IPC).
   */
  worker?: { recorders: RecorderSource; rumSink: RumSink };
}

/**
 * The proxy's state: one listener per environment, the upstream registry and the stats.
 * Changes are serialised and all-or-nothing: a table that cannot be bound or saved leaves the
 * previous one serving.
 */
export class DataPlane implements Plane {
  readonly startedAt = Date.now();
  private readonly listeners = new Map<string, EnvironmentListener>();
  private readonly registry: UpstreamRegistry;
  private readonly traffic = new TrafficStatsRegistry(this.startedAt);
  private readonly rumRegistry = new RumRegistry(this.startedAt);
  private readonly forward: ForwardOptions;
  private readonly drainTimeoutMs: number;
  private readonly recorders: RecorderSource;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: DataPlaneOptions) {
    this.forward = {
      ...defaultForwardOptions,
      ...options.forward,
      logger: options.logger,
      rum: new RumIntake(options.worker?.rumSink ?? this.rumRegistry, options.rumLimits),
    };
    this.recorders = options.worker?.recorders ?? this.traffic;
    this.registry = new UpstreamRegistry(this.forward.connectTimeoutMs);
    this.drainTimeoutMs = options.drainTimeoutMs ?? defaultDrainTimeoutMs;
  }

  /** Open listeners for tables read back from disk (no save). All or nothing. */
  restore(tables: EnvironmentRoutes[]): Promise<void> {
    return this.serialize(async () => {
      const opened: EnvironmentListener[] = [];
      try {
        for (const routes of tables) {
          this.checkListenFree(routes);
          const table = compileTable(routes, this.registry, this.recorders);
          opened.push(await this.openListener(table));
          this.listeners.set(routes.environment, opened.at(-1)!);
        }
      } catch (e) {
        this.listeners.clear();
        await Promise.all(opened.map((l) => l.close(0)));
        throw e;
      }
      for (const l of opened) this.registry.commit(l.table.environment, l.table.upstreams);
    });
  }

  /** Serve a connection the parent accepted on `environment`'s listen address (worker data planes). */
  accept(environment: string, socket: Socket): void {
    const listener = this.listeners.get(environment);
    if (listener === undefined) socket.destroy();
    else listener.accept(socket);
  }

  /** Every upstream's live state (a worker reports them to its parent). */
  upstreamStates(): UpstreamState[] {
    return this.registry.list();
  }

  /** Replace one environment's table (validated input); opens or moves its listener, saves, then switches. */
  apply(routes: EnvironmentRoutes): Promise<void> {
    return this.serialize(async () => {
      this.checkListenFree(routes);
      const table = compileTable(routes, this.registry, this.recorders);
      const current = this.listeners.get(routes.environment);
      const fresh = current?.listen === routes.listen ? undefined : await this.openListener(table);
      try {
        await this.options.persist?.(this.tablesWith(routes.environment, routes));
      } catch (e) {
        await fresh?.close(0);
        throw e;
      }
      this.registry.commit(routes.environment, table.upstreams);
      if (fresh === undefined) current!.table = table;
      else {
        this.listeners.set(routes.environment, fresh);
        if (current) void current.close(this.drainTimeoutMs);
      }
      this.options.logger.info(
        { environment: routes.environment, listen: routes.listen, routes: summarize(routes) },
        'route table applied',
      );
    });
  }

  /** Close an environment's listener (in-flight requests finish) and drain its upstreams. False if unknown. */
  remove(environment: string): Promise<boolean> {
    return this.serialize(async () => {
      const current = this.listeners.get(environment);
      if (current === undefined) return false;
      await this.options.persist?.(this.tablesWith(environment, undefined));
      this.listeners.delete(environment);
      this.registry.commit(environment, []);
      void current.close(this.drainTimeoutMs);
      this.options.logger.info({ environment }, 'route table removed');
      return true;
    });
  }

  /** Every environment's table as last applied. */
  routes(): EnvironmentRoutes[] {
    return [...this.listeners.values()].map((l) => l.table.source);
  }

  /** Every upstream, including draining ones. */
  upstreams(): UpstreamStatus[] {
    return this.registry.list().map((u) => u.status());
  }

  /** Cumulative per-release figures. */
  stats(): TrafficStats {
    return this.traffic.snapshot(Date.now());
  }

  /** Recent samples of one service after a cursor. */
  samples(environment: string, service: string, after: number): SamplesPage {
    return this.traffic.samples(environment, service, after);
  }

  /** Recent RUM beacons of one service after a cursor. */
  rum(environment: string, service: string, after: number): RumPage {
    return this.rumRegistry.samples(environment, service, after);
  }

  /** Prometheus text exposition. */
  metrics(): string {
    return renderMetrics(this.traffic.snapshot(Date.now()), this.registry.list(), this.startedAt);
  }

  /** Stop all listeners; in-flight requests get up to `timeoutMs`; then close every pool. */
  close(timeoutMs: number): Promise<void> {
    return this.serialize(async () => {
      const all = [...this.listeners.values()];
      this.listeners.clear();
      await Promise.all(all.map((l) => l.close(timeoutMs)));
      this.registry.destroyAll();
    });
  }

  private openListener(table: CompiledTable): Promise<EnvironmentListener> {
    return this.options.worker
      ? Promise.resolve(EnvironmentListener.detached(table, this.forward))
      : EnvironmentListener.open(table, this.forward);
  }

  private checkListenFree(routes: EnvironmentRoutes): void {
    for (const [environment, l] of this.listeners) {
      if (environment !== routes.environment && l.listen === routes.listen) {
        throw new ProxyError(
          'conflict',
          `listen address ${routes.listen} of environment "${routes.environment}" is already used by environment ` +
            `"${environment}"`,
          {
            environment: routes.environment,
            listen: routes.listen,
            usedBy: environment,
          },
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

/** "quote-api /api: 1.4.0=90 1.5.0=10" — for the log line of an apply. */
function summarize(routes: EnvironmentRoutes): string[] {
  return routes.routes.map(
    (r) =>
      `${r.service} ${r.match.host ?? ''}${r.match.pathPrefix}: ` +
      `${r.releases.map((s) => `${s.release}=${s.weight}(${s.upstreams.length})`).join(' ')}`,
  );
}
