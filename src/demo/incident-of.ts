import type { ApiClient } from '../cli/client.js';
import type { DeploymentView } from '../cli/follow.js';

/** An incident as the API lists it, as far as the demo says it. */
export interface IncidentSummary {
  id: string;
  severity: string;
  state: string;
  title: string;
  links: { kind: string; ref: string }[];
}

/**
 * The incident the coordinator opened for deployment `d` (a rollback by the judge opens one), asked of the API until
 * it is there or `timeoutMs` passed: the incident follower opens it from the deployment's events, just after it ends.
 */
export async function incidentOpenedBy(
  client: ApiClient,
  project: string,
  d: Pick<DeploymentView, 'id' | 'service' | 'environment'>,
  timeoutMs = 10_000,
): Promise<IncidentSummary | undefined> {
  const query = new URLSearchParams({ service: d.service, environment: d.environment, limit: '20' });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { incidents } = await client.call<{ incidents: IncidentSummary[] }>(
      'GET',
      `/api/v1/projects/${encodeURIComponent(project)}/incidents?${query}`,
    );
    const opened = incidents.find((i) => i.links.some((l) => l.kind === 'deployment' && l.ref === d.id));
    if (opened || Date.now() > deadline) return opened;
    await new Promise((r) => setTimeout(r, 250));
  }
}
