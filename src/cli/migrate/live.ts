/**
 * Which releases are live, as the coordinator knows them: the CLI asks its API (never the
 * store), because only the coordinator knows which instances run which release.
 */
import type { ProjectConfig } from '../../config/model.js';
import { environmentsSharingDatabase } from '../../migrations/database.js';
import type { LiveRelease } from '../../migrations/sequencing/blockers.js';
import { commandContext, type GlobalOptions } from '../context.js';

interface InstanceView {
  release: string;
  environment: string;
  desired: 'running' | 'warm' | 'stopped';
  state: string;
}

/** Live releases of the database's service in the environments sharing `environment`'s database. */
export async function fetchLiveReleases(
  global: GlobalOptions,
  config: ProjectConfig,
  environment: string,
): Promise<LiveRelease[]> {
  const { client, project } = await commandContext(global);
  const service = config.database!.service;
  const counts = new Map<string, LiveRelease>();
  for (const env of environmentsSharingDatabase(config, environment)) {
    const query = new URLSearchParams({ project, service, environment: env });
    const { instances } = await client.call<{ instances: InstanceView[] }>('GET', `/api/v1/instances?${query}`);
    for (const i of instances) {
      if (i.desired === 'stopped' && i.state === 'stopped') continue;
      const key = `${env}\u0000${i.release}`;
      const entry = counts.get(key) ?? { environment: env, version: i.release, instances: 0 };
      entry.instances++;
      counts.set(key, entry);
    }
  }
  return [...counts.values()];
}
