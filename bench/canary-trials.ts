import type { ApiClient } from '../src/cli/client.js';
import { followDeployment, type DeploymentView, type EventView } from '../src/cli/follow.js';
import type { LoadGenerator } from '../src/demo/load-generator.js';

/** One response as the load generator saw it. */
export interface SeenResponse {
  at: number;
  release: string | undefined;
  status: number;
  latencyMs: number;
}

/** Responses seen while a trial runs (the load generator pushes into `current`). */
export class ResponseLog {
  current: SeenResponse[] = [];
  push = (r: SeenResponse) => void this.current.push(r);
  reset(): void {
    this.current = [];
  }
}

export interface FaultyTrial {
  version: string;
  state: string;
  /** First bad response from the candidate → all traffic back on stable (proxy acknowledged). */
  timeToRollbackMs?: number;
  /** 5xx answers the candidate gave users before the rollback. */
  userErrorsBeforeRollback: number;
  /** The failing verdict → all traffic back on stable (both as the coordinator recorded them). */
  verdictToStableMs?: number;
  reason?: string;
}

/** Deploy a faulty canary and time how long users were exposed to it. */
export async function faultyTrial(
  client: ApiClient,
  project: string,
  log: ResponseLog,
  version: string,
  set: Record<string, string>,
  isBad: (r: SeenResponse) => boolean,
): Promise<FaultyTrial> {
  log.reset();
  const { deployment } = await client.call<{ deployment: DeploymentView }>(
    'POST',
    `/api/v1/projects/${project}/deployments`,
    {
      service: 'quote-api',
      environment: 'staging',
      version,
      set,
    },
  );
  let rollingBack = false;
  let backOnStableAt: number | undefined;
  let verdictAt: number | undefined;
  const final = await followDeployment(client, deployment.id, (e: EventView) => {
    if (e.kind === 'analysis.fail') verdictAt ??= Date.parse(e.at);
    if (e.kind === 'deployment.rolling_back') rollingBack = true;
    const weights = e.data as { candidate?: { weight?: number } };
    if (rollingBack && e.kind === 'traffic.shifted' && weights.candidate?.weight === 0)
      backOnStableAt ??= Date.parse(e.at);
  });
  const fromCandidate = log.current.filter((r) => r.release === version);
  const firstBad = fromCandidate
    .filter(isBad)
    .reduce<number | undefined>((min, r) => (min === undefined || r.at < min ? r.at : min), undefined);
  const until = backOnStableAt ?? Number.POSITIVE_INFINITY;
  return {
    version,
    state: final.state,
    ...(firstBad !== undefined && backOnStableAt !== undefined
      ? { timeToRollbackMs: Math.max(0, backOnStableAt - firstBad) }
      : {}),
    userErrorsBeforeRollback: fromCandidate.filter((r) => r.status >= 500 && r.at <= until).length,
    ...(verdictAt !== undefined && backOnStableAt !== undefined
      ? { verdictToStableMs: backOnStableAt - verdictAt }
      : {}),
    ...(final.reason ? { reason: final.reason.split('\n')[0] } : {}),
  };
}

/** Deploy a healthy (noisy) canary; it should be promoted, not rolled back. */
export async function healthyTrial(
  client: ApiClient,
  project: string,
  version: string,
  set: Record<string, string>,
): Promise<{ version: string; state: string; reason?: string }> {
  const { deployment } = await client.call<{ deployment: DeploymentView }>(
    'POST',
    `/api/v1/projects/${project}/deployments`,
    {
      service: 'quote-api',
      environment: 'staging',
      version,
      set,
    },
  );
  const final = await followDeployment(client, deployment.id, () => undefined);
  return { version, state: final.state, ...(final.reason ? { reason: final.reason.split('\n')[0] } : {}) };
}

/** Median and p95 (nearest rank) of a list. */
export function summarize(values: number[]): { median: number | null; p95: number | null } {
  if (values.length === 0) return { median: null, p95: null };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  return { median: at(0.5), p95: at(0.95) };
}

/** Keep a load generator's responses flowing into a log. */
export function logInto(log: ResponseLog): (r: SeenResponse) => void {
  return log.push;
}

export type { LoadGenerator };
