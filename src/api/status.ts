import type { z } from 'zod';
import type { ProjectConfig } from '../config/model.js';
import type { Queryable } from '../store/db.js';
import { listDeployments } from '../store/repos/deployments.js';
import { listInstances } from '../store/repos/instances.js';
import { listServiceStates } from '../store/repos/service-state.js';
import { listTraffic } from '../store/repos/traffic.js';
import { presentDeployment, ReleaseNames } from './present.js';
import { presentRollout } from './present-rollout.js';
import { listRollouts } from '../store/repos/rollouts.js';
import type { serviceStatusView, statusView } from './schemas.js';

/** Where each service of a project stands in each environment: stable release, traffic, instances, deployments. */
export async function projectStatus(
  db: Queryable,
  config: ProjectConfig,
  dataPlaneHealthy: boolean,
): Promise<z.infer<typeof statusView>> {
  const names = new ReleaseNames(db);
  const [states, traffic, instances, deployments] = await Promise.all([
    listServiceStates(db, config.project),
    listTraffic(db, config.project),
    listInstances(db, { project: config.project, live: true }),
    listDeployments(db, { project: config.project, limit: 500 }),
  ]);
  const environments = [];
  for (const env of config.environments) {
    const services: z.infer<typeof serviceStatusView>[] = [];
    for (const service of config.services) {
      const state = states.find((s) => s.environment === env.name && s.service === service.name);
      const mine = deployments.filter((d) => d.environment === env.name && d.service === service.name);
      const active = mine.find((d) => d.state === 'running' || d.state === 'rolling_back');
      const last = mine.find((d) => d !== active && d.state !== 'queued');
      services.push({
        service: service.name,
        stable: state?.stableRelease ? await names.version(state.stableRelease) : null,
        previous: state?.previousRelease ? await names.version(state.previousRelease) : null,
        traffic: await Promise.all(
          traffic
            .filter((t) => t.environment === env.name && t.service === service.name)
            .map(async (t) => ({ release: await names.version(t.releaseId), role: t.role, weight: t.weight })),
        ),
        instances: await Promise.all(
          instances
            .filter((i) => i.environment === env.name && i.service === service.name)
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
      });
    }
    const host =
      env.host === '0.0.0.0' || env.host === '::' ? '127.0.0.1' : env.host.includes(':') ? `[${env.host}]` : env.host;
    const [rollout] = await listRollouts(db, { project: config.project, environment: env.name, limit: 1 });
    environments.push({
      name: env.name,
      listen: env.listen,
      url: `http://${host}:${env.port}`,
      services,
      rollout: rollout ? presentRollout(rollout) : null,
    });
  }
  return { project: config.project, dataPlane: { healthy: dataPlaneHealthy }, environments };
}
