/**
 * GitHub deployments for releases a push announced (the commit is known): the deployment is
 * created for that commit when Slipway's deployment is waiting for approval (`queued`) or starts
 * (`in_progress`), then gets `success`, `failure` (a verdict failed, or it was rolled back) or
 * `error` (a step failed). When one succeeds, the one it replaced (same environment and service)
 * becomes `inactive`. Deployments of releases without a known commit have nothing to send.
 */
import type { NotificationMessage } from '../message.js';
import type { NotificationSender, RefStore, ResolvedService, SendOutcome } from '../sender.js';
import type { TriggerName } from '../triggers.js';
import { createDeployment, createStatus, type DeploymentState, findDeployment, type GithubAccess } from './client.js';

export interface GithubService {
  token: string;
  repository: string;
  api: string;
  environmentUrls: Record<string, string>;
}

/** The state a trigger posts (undefined: GitHub has no use for it). */
export function githubState(m: NotificationMessage): DeploymentState | undefined {
  const states: Partial<Record<TriggerName, DeploymentState>> = {
    'on-approval-needed': 'queued',
    'on-deployment-started': 'in_progress',
    'on-deployment-succeeded': 'success',
    'on-deployment-rolled-back': 'failure',
    'on-deployment-failed': m.values['verdict.outcome'] === 'fail' ? 'failure' : 'error',
  };
  return states[m.trigger];
}

/** ≤ 140 characters that say what happened: the versions, and the reason when it went wrong. */
export function statusDescription(m: NotificationMessage, state: DeploymentState): string {
  const v = m.values;
  const versions = `${v.service ?? ''} ${v.from ? `${v.from} → ` : ''}${v.to ?? ''}`.trim();
  const why = v['verdict.reason'] ?? v.reason;
  const words: Record<DeploymentState, string> = {
    queued: 'waiting for approval',
    in_progress: 'deploying',
    success: 'live',
    failure: m.trigger === 'on-deployment-rolled-back' ? 'rolled back' : 'failed',
    error: 'failed',
    inactive: 'replaced',
  };
  const wentWrong = (state === 'failure' || state === 'error') && why;
  const text = `${versions}: ${words[state]}${wentWrong ? ` (${why})` : ''}`;
  return text.length > 140 ? `${text.slice(0, 139)}…` : text;
}

/** The GitHub deployment of a Slipway deployment: recorded, found again, or (when it may) created now. */
async function deploymentOf(
  a: GithubAccess,
  refs: RefStore,
  m: NotificationMessage,
  create: boolean,
): Promise<{ id?: number } | { outcome: SendOutcome }> {
  const v = m.values;
  const ref = `${v.project}/deployment/${v.deployment}`;
  const known = await refs.get(ref);
  if (known) return { id: Number(known) };
  const found = await findDeployment(a, v.commit!, v.environment!, v.deployment!);
  if ('outcome' in found) return found;
  let id = found.ok;
  if (id === undefined && create) {
    const created = await createDeployment(a, {
      sha: v.commit!,
      environment: v.environment!,
      description: `Slipway: ${v.service} ${v.to}${v.by ? ` by ${v.by}` : ''}`,
      production: v.environment === 'production',
      payload: {
        slipway: { project: v.project!, deployment: v.deployment!, service: v.service ?? '', version: v.to ?? '' },
      },
    });
    if ('outcome' in created) return created;
    id = created.ok.id;
  }
  if (id !== undefined) await refs.set(ref, String(id));
  return { id };
}

async function send(a: GithubAccess, s: GithubService, refs: RefStore, m: NotificationMessage): Promise<SendOutcome> {
  const v = m.values;
  const state = githubState(m);
  if (!state) return { kind: 'sent', skipped: `GitHub deployment statuses have no use for ${m.trigger}` };
  if (!v.deployment || !v.environment) return { kind: 'sent', skipped: 'the event names no deployment' };
  if (!v.commit) return { kind: 'sent', skipped: `no push announced the commit of ${v.service} ${v.to ?? ''}`.trim() };
  const creates = state === 'queued' || state === 'in_progress';
  const deployment = await deploymentOf(a, refs, m, creates);
  if ('outcome' in deployment) return deployment.outcome;
  if (deployment.id === undefined) {
    return { kind: 'retry', error: 'no GitHub deployment yet (it is created when the deployment starts)' };
  }
  const status = {
    environment: v.environment,
    ...(s.environmentUrls[v.environment] ? { environmentUrl: s.environmentUrls[v.environment] } : {}),
    ...(m.link ? { logUrl: m.link } : {}),
  };
  const posted = await createStatus(a, deployment.id, { ...status, state, description: statusDescription(m, state) });
  if ('outcome' in posted) return posted.outcome;
  if (state === 'success') {
    // The release this one replaced in the environment is no longer live.
    const activeRef = `${v.project}/active/${v.environment}/${v.service}`;
    const previous = await refs.get(activeRef);
    if (previous && previous !== String(deployment.id)) {
      const replaced = await createStatus(a, Number(previous), {
        ...status,
        state: 'inactive',
        description: `replaced by ${v.service} ${v.to}`,
      });
      if ('outcome' in replaced && replaced.outcome.kind === 'retry') return replaced.outcome;
    }
    await refs.set(activeRef, String(deployment.id));
  }
  return { kind: 'sent', status: 201, note: `deployment ${deployment.id}: ${state}` };
}

export const githubSender: NotificationSender = {
  send({ message, service, signal, refs }) {
    const s = service as ResolvedService & GithubService;
    return send({ api: s.api, token: s.token, repository: s.repository, signal }, s, refs, message);
  },
};
