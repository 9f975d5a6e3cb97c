import type { ProjectConfig } from '../../config/model.js';
import type { Queryable } from '../../store/db.js';
import { type DeploymentRecord, latestDeployments } from '../../store/repos/deployments.js';
import { getReleases } from '../../store/repos/releases.js';
import { listServiceStates } from '../../store/repos/service-state.js';
import { listTraffic } from '../../store/repos/traffic.js';
import { describeStep } from '../../strategies/plan.js';
import type { Overview, OverviewService } from './view.js';

/** Live instances per environment × service, counted by the store (the instances_live index) rather than listed. */
async function instanceCounts(
  db: Queryable,
  project: string,
): Promise<Map<string, { running: number; healthy: number }>> {
  const { rows } = await db.query(
    `select environment, service,
            count(*) filter (where desired = 'running')::int as running,
            count(*) filter (where desired = 'running' and state = 'healthy')::int as healthy
       from instances where project = $1 and desired <> 'stopped'
      group by environment, service`,
    [project],
  );
  return new Map(
    rows.map((r) => [
      key(String(r.environment), String(r.service)),
      { running: Number(r.running), healthy: Number(r.healthy) },
    ]),
  );
}

const key = (environment: string, service: string) => `${environment}\u0000${service}`;

/** The URL an environment answers on, for people (a wildcard listen address is shown as 127.0.0.1). */
function environmentUrl(env: ProjectConfig['environments'][number]): string {
  const host =
    env.host === '0.0.0.0' || env.host === '::' ? '127.0.0.1' : env.host.includes(':') ? `[${env.host}]` : env.host;
  return `http://${host}:${env.port}`;
}

/**
 * The overview of a project from five set-based queries on indexed columns, whatever the number of services and the
 * length of their history (the releases they name are read in one more).
 */
export async function computeOverview(
  db: Queryable,
  config: ProjectConfig,
  dataPlaneHealthy: boolean,
  dataPlaneKind: 'builtin' | 'haproxy' = 'builtin',
): Promise<Overview> {
  const pairs = config.environments.flatMap((e) =>
    config.services.map((s) => ({ service: s.name, environment: e.name })),
  );
  const [states, traffic, counts, deployments] = await Promise.all([
    listServiceStates(db, config.project),
    listTraffic(db, config.project),
    instanceCounts(db, config.project),
    latestDeployments(db, config.project, pairs),
  ]);
  const releaseIds = new Set<string>();
  for (const s of states) if (s.stableRelease) releaseIds.add(s.stableRelease);
  for (const t of traffic) releaseIds.add(t.releaseId);
  for (const d of [...deployments.active, ...deployments.last]) releaseIds.add(d.toRelease);
  const versions = new Map((await getReleases(db, [...releaseIds])).map((r) => [r.id, r.version]));
  const version = (id: string) => versions.get(id) ?? id;

  const stableOf = new Map(states.map((s) => [key(s.environment, s.service), s.stableRelease]));
  const trafficOf = new Map<string, OverviewService['traffic']>();
  for (const t of traffic) {
    const k = key(t.environment, t.service);
    trafficOf.set(k, [...(trafficOf.get(k) ?? []), { release: version(t.releaseId), role: t.role, weight: t.weight }]);
  }
  const activeOf = new Map(deployments.active.map((d) => [key(d.environment, d.service), d]));
  const lastOf = new Map(deployments.last.map((d) => [key(d.environment, d.service), d]));
  const active = (d: DeploymentRecord | undefined): OverviewService['active'] => {
    if (!d) return null;
    const step = d.plan.steps[d.step];
    return {
      id: d.id,
      kind: d.kind,
      version: version(d.toRelease),
      state: d.state,
      paused: d.control.kind === 'pause',
      step: d.step,
      steps: d.plan.steps.length,
      stepDescription: step ? describeStep(step) : null,
    };
  };
  const last = (d: DeploymentRecord | undefined): OverviewService['last'] =>
    d
      ? { id: d.id, version: version(d.toRelease), state: d.state, finishedAt: d.finishedAt?.toISOString() ?? null }
      : null;
  return {
    project: config.project,
    dataPlane: { healthy: dataPlaneHealthy, kind: dataPlaneKind },
    environments: config.environments.map((env) => ({
      name: env.name,
      url: environmentUrl(env),
      services: config.services.map((s) => {
        const k = key(env.name, s.name);
        const stable = stableOf.get(k);
        return {
          service: s.name,
          stable: stable ? version(stable) : null,
          traffic: trafficOf.get(k) ?? [],
          instances: counts.get(k) ?? { running: 0, healthy: 0 },
          active: active(activeOf.get(k)),
          last: last(lastOf.get(k)),
        };
      }),
    })),
  };
}
