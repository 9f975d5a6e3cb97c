import type { ProjectConfig } from '../config/model.js';
import type { Db } from '../store/db.js';
import { listRoutable } from '../store/repos/instances.js';
import { getProjectConfigIfChanged } from '../store/repos/projects.js';
import { getReleaseVersions } from '../store/repos/releases.js';
import { listTraffic } from '../store/repos/traffic.js';
import type { EnvironmentRoutes, ReleaseSet, Route, Router } from '../traffic/router.js';
import type { Logger } from '../shared/logging.js';
import { messageOf } from '../shared/errors.js';

/** The data plane's name for a project's environment (one proxy can serve several projects). */
export function dataPlaneEnvironment(project: string, environment: string): string {
  return `${project}.${environment}`;
}

/** Release versions by id, as a route table names them; the controller keeps them (releases never change). */
export type ReleaseVersions = (ids: readonly string[]) => Promise<Map<string, string>>;

/** Build an environment's route table from the store: weights from `traffic`, upstreams = healthy instances meant to
 * run. */
export async function buildRoutes(
  db: Db,
  config: ProjectConfig,
  environment: string,
  versionsOf: ReleaseVersions = (ids) => getReleaseVersions(db, ids),
): Promise<EnvironmentRoutes> {
  const env = config.environments.find((e) => e.name === environment);
  if (!env) throw new Error(`environment ${environment} is not in project ${config.project}`);
  const [traffic, instances] = await Promise.all([
    listTraffic(db, config.project, environment),
    listRoutable(db, config.project, environment),
  ]);
  // One query for every release the table names: a project of 200 services has 400 of them in a table, and this runs
  // on every instance that turns healthy or not (bench/scale.ts).
  const versions = await versionsOf(traffic.map((t) => t.releaseId));
  for (const t of traffic) if (!versions.has(t.releaseId)) versions.set(t.releaseId, t.releaseId);

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

  const routes: Route[] = Object.values(config.services).map((service) => {
    const releases: ReleaseSet[] = (trafficOf.get(service.name) ?? []).map((t) => ({
      release: versions.get(t.releaseId)!,
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

/**
 * Keeps the data plane's route tables equal to what the store says. Changes are pushed at once
 * (coalesced per environment: one push in flight, at most one queued); every table is also
 * re-pushed periodically so a restarted proxy converges even if its disk copy was stale.
 */
export class TrafficController {
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly queued = new Map<string, Promise<void>>();
  private readonly lastPushed = new Map<string, string>();
  /** Each project's parsed config with its digest: re-read only when the digest in the store differs. */
  private readonly configs = new Map<string, { digest: string; config: ProjectConfig }>();
  /** Release versions by id (a release is immutable once stored); cleared when it grows past `versionsKept`. */
  private readonly versions = new Map<string, string>();

  constructor(
    private readonly db: Db,
    private readonly router: Router,
    private readonly logger: Logger,
  ) {}

  /** Push one environment's table now (after any push already in flight); resolves when the data plane has it. */
  push(project: string, environment: string): Promise<void> {
    const key = `${project}\u0000${environment}`;
    const queued = this.queued.get(key);
    if (queued) return queued;
    const previous = this.inFlight.get(key) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        this.queued.delete(key);
        this.inFlight.set(key, next);
        try {
          await this.pushNow(project, environment);
        } finally {
          if (this.inFlight.get(key) === next) this.inFlight.delete(key);
        }
      });
    this.queued.set(key, next);
    return next;
  }

  /** Push without waiting; failures are logged (the periodic reconcile retries). */
  schedule(project: string, environment: string): void {
    this.push(project, environment).catch((e) =>
      this.logger.warn({ err: messageOf(e), project, environment }, 'route push failed; will retry'),
    );
  }

  /** Push every environment of every project whose table changed (or all when `force`). */
  async reconcileAll(projects: ProjectConfig[], force = false): Promise<void> {
    for (const config of projects) {
      for (const env of config.environments) {
        if (force) this.lastPushed.delete(`${config.project}\u0000${env.name}`);
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
    this.lastPushed.clear();
  }

  private async pushNow(project: string, environment: string): Promise<void> {
    const config = await this.configOf(project);
    if (!config) return;
    if (!config.environments.some((e) => e.name === environment)) return;
    const table = await buildRoutes(this.db, config, environment, (ids) => this.versionsOf(ids));
    const text = JSON.stringify(table);
    const key = `${project}\u0000${environment}`;
    if (this.lastPushed.get(key) === text) return;
    await this.router.apply(table);
    this.lastPushed.set(key, text);
  }

  /** The project's config as stored now; parsed again only when its digest changed (one small row otherwise). */
  private async configOf(project: string): Promise<ProjectConfig | undefined> {
    const cached = this.configs.get(project);
    const found = await getProjectConfigIfChanged(this.db, project, cached?.digest);
    if (!found) {
      this.configs.delete(project);
      return undefined;
    }
    if (found.config) {
      this.configs.set(project, { digest: found.digest, config: found.config });
      return found.config;
    }
    return cached!.config;
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
