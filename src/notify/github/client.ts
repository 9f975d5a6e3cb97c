/**
 * The GitHub REST calls of deployments and their statuses (api.github.com or a GitHub Enterprise
 * Server API base), with the headers GitHub asks for: a bearer token, its JSON media type, the
 * API version and a User-Agent. 2xx answers the parsed JSON; anything else is the worker's outcome.
 */
import { classify, request } from '../http.js';
import type { SendOutcome } from '../sender.js';

export interface GithubAccess {
  api: string;
  token: string;
  repository: string;
  signal: AbortSignal;
}

export type Answer<T> = { ok: T } | { outcome: SendOutcome };

async function call<T>(a: GithubAccess, method: string, path: string, body?: unknown): Promise<Answer<T>> {
  const answer = await request(`${a.api}/repos/${a.repository}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${a.token}`,
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'user-agent': 'slipway',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: a.signal,
  });
  if ('kind' in answer) return { outcome: answer };
  if (answer.status < 200 || answer.status >= 300) return { outcome: classify(answer) };
  try {
    return { ok: JSON.parse(answer.body) as T };
  } catch {
    return {
      outcome: { kind: 'retry', status: answer.status, error: `GitHub answered ${answer.status} without JSON` },
    };
  }
}

export interface NewDeployment {
  sha: string;
  environment: string;
  description: string;
  production: boolean;
  /** What identifies it as Slipway's deployment, found again by listDeployments. */
  payload: { slipway: { project: string; deployment: string; service: string; version: string } };
}

/** POST /repos/{owner}/{repo}/deployments: for the commit itself (no merge, no required status checks). */
export const createDeployment = (a: GithubAccess, d: NewDeployment) =>
  call<{ id: number }>(a, 'POST', '/deployments', {
    ref: d.sha,
    task: 'deploy',
    auto_merge: false,
    // Slipway's own gates and approvals decided already; GitHub's commit checks must not refuse it again.
    required_contexts: [],
    payload: d.payload,
    environment: d.environment,
    description: d.description.slice(0, 140),
    transient_environment: false,
    production_environment: d.production,
  });

/** The id of Slipway's deployment of this commit, if one was created (its answer may have been lost). */
export async function findDeployment(
  a: GithubAccess,
  sha: string,
  environment: string,
  slipwayId: string,
): Promise<Answer<number | undefined>> {
  const q = `?sha=${encodeURIComponent(sha)}&environment=${encodeURIComponent(environment)}&task=deploy&per_page=100`;
  const listed = await call<{ id: number; payload?: { slipway?: { deployment?: string } } }[]>(
    a,
    'GET',
    `/deployments${q}`,
  );
  if ('outcome' in listed) return listed;
  return { ok: listed.ok.find((d) => d.payload?.slipway?.deployment === slipwayId)?.id };
}

export type DeploymentState = 'queued' | 'in_progress' | 'success' | 'failure' | 'error' | 'inactive';

export interface NewStatus {
  state: DeploymentState;
  environment: string;
  environmentUrl?: string;
  logUrl?: string;
  description: string;
}

/** POST /repos/{owner}/{repo}/deployments/{id}/statuses (description cut to GitHub's 140 characters). */
export const createStatus = (a: GithubAccess, id: number, s: NewStatus) =>
  call<{ id: number }>(a, 'POST', `/deployments/${id}/statuses`, {
    state: s.state,
    environment: s.environment,
    ...(s.environmentUrl ? { environment_url: s.environmentUrl } : {}),
    ...(s.logUrl ? { log_url: s.logUrl } : {}),
    description: s.description.length > 140 ? `${s.description.slice(0, 139)}…` : s.description,
    // Slipway marks the release it replaced inactive itself, per service (GitHub would do it per environment).
    auto_inactive: false,
  });
