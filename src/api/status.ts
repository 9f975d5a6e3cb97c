import type { z } from 'zod';
import type { ProjectConfig } from '../config/model.js';
import type { Queryable } from '../store/db.js';
import { latestDeployments } from '../store/repos/deployments.js';
import { listInstances } from '../store/repos/instances.js';
import { listServiceStates } from '../store/repos/service-state.js';
import { listTraffic } from '../store/repos/traffic.js';
import { presentDeployment, ReleaseNames } from './present.js';
import { presentRollout } from './present-rollout.js';
import { latestRollouts } from '../store/repos/rollouts.js';
import type { serviceStatusView, statusView } from './schemas.js';

/** Where each service of a project stands in each environment: stable release, traffic, instances, deployments. */
export async function projectStatus(
  db: Queryable,
  config: ProjectConfig,
  dataPlaneHealthy: boolean,
  dataPlaneKind: 'builtin' | 'haproxy' = 'builtin',
): Promise<z.infer<typeof statusView>> {
  const names = new ReleaseNames(db);
  const pairs = config.environments.flatMap((e) =>
    config.services.map((s) => ({ service: s.name, environment: e.name })),
  );
  // A fixed number of queries whatever the number of services and the length of history: the overview asks for
  // this on every event, for every service of every environment.
  const [states, traffic, instances, deployments, rollouts] = await Promise.all([
    listServiceStates(db, config.project),
    listTraffic(db, config.project),
    listInstances(db, { project: config.project, live: true }),
    latestDeployments(db, config.project, pairs),
    latestRollouts(db, config.project),
  ]);
  const shown = [...deployments.active, ...deployments.last];
  await Promise.all([
    names.prime([
      ...states.flatMap((st) => [st.stableRelease, st.previousRelease]),
      ...traffic.map((t) => t.releaseId),
      ...instances.map((i) => i.releaseId),
      ...shown.flatMap((d) => [d.fromRelease, d.toRelease]),
    ]),
    names.primeVerdicts(shown.filter((d) => d.settings.strategyConfig.type === 'canary').map((d) => d.id)),
  ]);
  const key = (env: string, service: string) => `${env}\u0000${service}`;
  const activeOf = new Map(deployments.active.map((d) => [key(d.environment, d.service), d]));
  const lastOf = new Map(deployments.last.map((d) => [key(d.environment, d.service), d]));
  const serviceStatus = async (env: string, service: string): Promise<z.infer<typeof serviceStatusView>> => {
    const state = states.find((s) => s.environment === env && s.service === service);
    const active = activeOf.get(key(env, service));
    const last = lastOf.get(key(env, service));
    return {
      service,
      stable: state?.stableRelease ? await names.version(state.stableRelease) : null,
      previous: state?.previousRelease ? await names.version(state.previousRelease) : null,
      traffic: await Promise.all(
        traffic
          .filter((t) => t.environment === env && t.service === service)
          .map(async (t) => ({ release: await names.version(t.releaseId), role: t.role, weight: t.weight })),
      ),
      instances: await Promise.all(
        instances
          .filter((i) => i.environment === env && i.service === service)
          .map(async (i) => ({
            id: i.id,
            release: await names.version(i.releaseId),
            state: i.state,
            desired: i.desired,
            address: i.address ?? null,
            restarts: i.restarts,
          })),
      ),
      activeDeployment: active ? await presentDeployment(active, names) : null,
      lastDeployment: last ? await presentDeployment(last, names) : null,
    };
  };
  const environments = await Promise.all(
    config.environments.map(async (env) => {
      const host =
        env.host === '0.0.0.0' || env.host === '::' ? '127.0.0.1' : env.host.includes(':') ? `[${env.host}]` : env.host;
      const services = await Promise.all(config.services.map((service) => serviceStatus(env.name, service.name)));
      const rollout = rollouts.find((r) => r.environment === env.name);
      return {
        name: env.name,
        listen: env.listen,
        url: `http://${host}:${env.port}`,
        services,
        rollout: rollout ? presentRollout(rollout) : null,
      };
    }),
  );
  return { project: config.project, dataPlane: { healthy: dataPlaneHealthy, kind: dataPlaneKind }, environments };
}
