import type { z } from 'zod';
import type { statusView } from '../api/schemas.js';
import { messageOf } from '../shared/errors.js';
import type { ApiClient } from './client.js';

type Status = z.infer<typeof statusView>;

/**
 * What `slipway up` does once the coordinator answers: a service whose stable release has no instance meant to run
 * (`slipway down`, or Ctrl-C on a foreground `up`, stopped them all) is started again, by a deployment of that same
 * version (the engine starts it from nothing). Without this the proxy answered 503 after down and up, and deploying
 * the version again was refused as "already the stable release". One the engine refuses (a freeze, a window) is said,
 * not fatal: `up` still leaves the coordinator running. Returns the lines to print.
 */
export async function restartStopped(client: ApiClient, project: string): Promise<string[]> {
  let status: Status;
  try {
    status = await client.call<Status>('GET', `/api/v1/projects/${encodeURIComponent(project)}/status`);
  } catch {
    return []; // a project this coordinator does not know yet: nothing was stopped
  }
  const lines: string[] = [];
  for (const env of status.environments)
    for (const s of env.services) {
      const running = s.instances.some((i) => i.desired === 'running' || i.desired === 'warm');
      if (!s.stable || running || s.activeDeployment) continue;
      try {
        const { deployment } = await client.call<{ deployment: { id: string } }>(
          'POST',
          `/api/v1/projects/${encodeURIComponent(project)}/deployments`,
          { service: s.service, environment: env.name, version: s.stable, queue: false },
        );
        lines.push(`restarting ${s.service} ${s.stable} in ${env.name} (${deployment.id}): its instances were stopped`);
      } catch (e) {
        lines.push(`could not restart ${s.service} ${s.stable} in ${env.name}: ${messageOf(e)}`);
      }
    }
  return lines;
}
