import type { ProjectConfig } from '../config/model.js';
import type { Db } from '../store/db.js';
import { getReleaseVersions } from '../store/repos/releases.js';
import { readRouteSources, type RouteSources } from '../store/repos/route-sources.js';
import type { EnvironmentRoutes, ReleaseSet, Route, Router } from '../traffic/router.js';
import type { Logger } from '../shared/logging.js';
import { messageOf } from '../shared/errors.js';

/** The data plane's name for a project's environment (one proxy can serve several projects). */
export function dataPlaneEnvironment(project: string, environment: string): string {
  return `${project}.${environment}`;
}

/**
 * An environment's route table from what the store holds (readRouteSources): weights from `traffic`, upstreams =
 * healthy instances meant to run; `versions` names each release the weights name.
 */
export function routeTable(
  config: ProjectConfig,
  environment: string,
  sources: Pick<RouteSources, 'traffic' | 'instances'>,
  versions: Map<string, string>,
  /** Only these services' routes (the sources hold only theirs); default every service of the config. */
  only?: ReadonlySet<string>,
): EnvironmentRoutes {
  const env = config.environments.find((e) => e.name === environment);
  if (!env) throw new Error(`environment ${environment} is not in project ${config.project}`);
  const { traffic, instances } = sources;

  // Grouped first: the table is rebuilt whenever an instance turns healthy or not, and filtering every instance for
  // every service made it quadratic in the size of the project.
  const upstreamsOf = new Map<string, { id: string; address: string }[]>();
  for (const i of instances) {
    const key = `${i.service}\u0000${i.releaseId}`;
    const list = upstreamsOf.get(key) ?? [];
    list.push({ id: i.id, address: i.address });
    upstreamsOf.set(key, list);
  }
  const trafficOf = new Map<string, typeof traffic>();
  for (const t of traffic) trafficOf.set(t.service, [...(trafficOf.get(t.service) ?? []), t]);

  const services = Object.values(config.services).filter((service) => !only || only.has(service.name));
  const routes: Route[] = services.map((service) => {
    const releases: ReleaseSet[] = (trafficOf.get(service.name) ?? []).map((t) => ({
      release: versions.get(t.releaseId) ?? t.releaseId,
      role: t.role,
      weight: t.weight,
      upstreams: upstreamsOf.get(`${service.name}\u0000${t.releaseId}`) ?? [],
    }));
    const strategy = service.environments[environment]?.strategy ?? service.strategy;
    const sticky = strategy.type === 'canary' && strategy.sticky;
    return {
      service: service.name,
      match: { pathPrefix: service.route.pathPrefix, ...(service.route.host ? { host: service.route.host } : {}) },
      releases,
      ...(sticky ? { sticky: true } : {}),
    };
  });
  return { environment: dataPlaneEnvironment(config.project, environment), listen: env.listen, routes };
}

/** An environment's table as last applied: each route with its JSON text (to tell a changed route). */
interface Pushed {
  /** The digest of the config it was built from. */
  digest: string;
  table: Omit<EnvironmentRoutes, 'routes'>;
  routes: Map<string, { route: Route; text: string }>;
}

/**
 * Keeps the data plane's route tables equal to what the store says. Changes are pushed at once
 * (coalesced per environment: one push in flight, at most one queued); every table is also
 * re-pushed periodically so a restarted proxy converges even if its disk copy was stale.
 * A push that names the services whose weights or instances changed reads only theirs from the store and patches
 * them into the table last applied (bench/scale.ts: reading, sending and parsing a whole table of 200 services on
 * every step and every instance that turned healthy was the largest part of a step's work). Any other push, a
 * changed config, and a failed apply read the whole table again.
 */
export class TrafficController {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly queued = new Map<string, Promise<void>>();
  /** What the queued push of each environment must read: the services named since it was queued, or all. */
  private readonly dirty = new Map<string, Set<string> | 'all'>();
  private readonly pushed = new Map<string, Pushed>();
  /** Each project's parsed config with its digest: re-read only when the digest in the store differs. */
  private readonly configs = new Map<string, { digest: string; config: ProjectConfig }>();
  /** Release versions by id (a release is immutable once stored); cleared when it grows past `versionsKept`. */
  private readonly versions = new Map<string, string>();

  constructor(
    private readonly db: Db,
    private readonly router: Router,
    private readonly logger: Logger,
  ) {}

  /**
   * Push one environment's table now (after any push already in flight); resolves when the data plane has it.
   * With `service`, only that service's weights or instances changed (the others are read again only if needed).
   */
  push(project: string, environment: string, service?: string): Promise<void> {
    const key = `${project}\u0000${environment}`;
    const dirty = this.dirty.get(key);
    if (service === undefined) this.dirty.set(key, 'all');
    else if (dirty === undefined) this.dirty.set(key, new Set([service]));
    else if (dirty !== 'all') dirty.add(service);
    const queued = this.queued.get(key);
    if (queued) return queued;
    const previous = this.inFlight.get(key) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        this.queued.delete(key);
        const services = this.dirty.get(key) ?? 'all';
        this.dirty.delete(key);
        this.inFlight.set(key, next);
        try {
          await this.pushNow(project, environment, services);
        } finally {
          if (this.inFlight.get(key) === next) this.inFlight.delete(key);
        }
      });
    this.queued.set(key, next);
    return next;
  }

  /** Push without waiting; failures are logged (the periodic reconcile retries). */
  schedule(project: string, environment: string, service?: string): void {
    this.push(project, environment, service).catch((e) =>
      this.logger.warn({ err: messageOf(e), project, environment }, 'route push failed; will retry'),
    );
  }

  /** Push every environment of every project whose table changed (or all when `force`). */
  async reconcileAll(projects: ProjectConfig[], force = false): Promise<void> {
    for (const config of projects) {
      for (const env of config.environments) {
        if (force) this.pushed.delete(`${config.project}\u0000${env.name}`);
        await this.push(config.project, env.name).catch((e) =>
          this.logger.warn(
            { err: messageOf(e), project: config.project, environment: env.name },
            'route push failed; will retry',
          ),
        );
      }
    }
  }

  /** Forget what was pushed, so the next reconcile re-sends everything (the proxy restarted). */
  invalidate(): void {
    this.pushed.clear();
  }

  private async pushNow(project: string, environment: string, services: Set<string> | 'all'): Promise<void> {
    const key = `${project}\u0000${environment}`;
    const cached = this.configs.get(project);
    const last = this.pushed.get(key);
    // Only the named services, when the table they patch was built from the config the store still has (the read
    // returns the digest: a changed one means every route may have changed, so the whole table is read instead).
    const some = services !== 'all' && last && cached?.digest === last.digest ? [...services] : undefined;
    // Config (when changed), weights and instances in one statement: see readRouteSources.
    let sources = await readRouteSources(this.db, project, environment, cached?.digest, some);
    if (some && sources && sources.digest !== last!.digest)
      sources = await readRouteSources(this.db, project, environment, cached?.digest);
    if (!sources) {
      this.configs.delete(project);
      this.pushed.delete(key);
      return;
    }
    if (sources.config) this.configs.set(project, { digest: sources.digest, config: sources.config });
    const config = sources.config ?? cached!.config;
    if (!config.environments.some((e) => e.name === environment)) return;
    // One query for every release the table names: a project of 200 services has 400 of them in a table, and this runs
    // on every instance that turns healthy or not (bench/scale.ts).
    const versions = await this.versionsOf(sources.traffic.map((t) => t.releaseId));
    const partial = some && sources.digest === last!.digest;
    const built = routeTable(config, environment, sources, versions, partial ? new Set(some) : undefined);
    const next: Pushed = {
      digest: sources.digest,
      table: { environment: built.environment, listen: built.listen },
      routes: new Map(partial ? last!.routes : []),
    };
    let changed =
      !partial &&
      (!last ||
        last.digest !== sources.digest ||
        last.table.listen !== built.listen ||
        last.routes.size !== built.routes.length);
    for (const route of built.routes) {
      const text = JSON.stringify(route);
      if (last?.routes.get(route.service)?.text !== text) changed = true;
      next.routes.set(route.service, { route, text });
    }
    if (!changed) return;
    // Every route, in the config's order (as a whole read builds it).
    const routes = Object.values(config.services).flatMap((service) => {
      const r = next.routes.get(service.name);
      return r ? [r.route] : [];
    });
    // Until the data plane has it, what it serves is unknown: a failed apply leaves no table to patch.
    this.pushed.delete(key);
    await this.router.apply({ ...next.table, routes });
    this.pushed.set(key, next);
  }

  private async versionsOf(ids: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const missing: string[] = [];
    for (const id of ids) {
      const version = this.versions.get(id);
      if (version === undefined) missing.push(id);
      else out.set(id, version);
    }
    if (missing.length === 0) return out;
    const found = await getReleaseVersions(this.db, missing);
    if (this.versions.size + found.size > versionsKept) this.versions.clear();
    for (const [id, version] of found) {
      this.versions.set(id, version);
      out.set(id, version);
    }
    return out;
  }
}

/** Release versions the controller keeps (a long-lived coordinator sees releases come and go). */
const versionsKept = 50_000;
