import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GithubStandIn, startGithubStandIn, statusProblem } from '../../../test/support/github-stand-in.js';
import { composeMessage } from '../message.js';
import type { RefStore, ResolvedService, SendOutcome } from '../sender.js';
import type { TemplateValues } from '../template.js';
import type { TriggerName } from '../triggers.js';
import { githubSender, githubState, statusDescription } from './index.js';

const sha = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const token = 'ghp_standInToken0123456789';
let gh: GithubStandIn;
let refs: Map<string, string>;
const store: RefStore = { get: async (k) => refs.get(k), set: async (k, v) => void refs.set(k, v) };
const service = (over: Record<string, unknown> = {}): ResolvedService => ({
  type: 'github',
  token,
  repository: 'acme/harbor',
  api: gh.url,
  environmentUrls: { production: 'https://quote.example.com' },
  ...over,
});

const values = (over: TemplateValues = {}): TemplateValues => ({
  project: 'harbor',
  environment: 'production',
  service: 'api',
  deployment: 'dep_1',
  from: '1.4.2',
  to: '1.5.0',
  by: 'github:dana',
  commit: sha,
  link: 'https://slipway.example.com/deployments/dep_1',
  ...over,
});

const message = (trigger: TriggerName, v: TemplateValues = values()) =>
  composeMessage(trigger, v, new Date('2026-12-04T12:00:00Z')).message;
const send = (trigger: TriggerName, v?: TemplateValues, s = service()): Promise<SendOutcome> =>
  githubSender.send({
    message: message(trigger, v),
    key: 'k',
    service: s,
    signal: AbortSignal.timeout(5000),
    refs: store,
  });

beforeEach(async () => {
  gh = await startGithubStandIn({ repository: 'acme/harbor', token, commits: [sha] });
  refs = new Map();
});
afterEach(async () => {
  await gh.close();
});

describe('GitHub deployment states', () => {
  it('maps triggers to states, failure for a failed verdict and error for a failed step', () => {
    expect(githubState(message('on-approval-needed'))).toBe('queued');
    expect(githubState(message('on-deployment-started'))).toBe('in_progress');
    expect(githubState(message('on-deployment-succeeded'))).toBe('success');
    expect(githubState(message('on-deployment-rolled-back'))).toBe('failure');
    expect(githubState(message('on-deployment-failed', values({ 'verdict.outcome': 'fail' })))).toBe('failure');
    expect(githubState(message('on-deployment-failed'))).toBe('error');
    expect(githubState(message('on-incident-opened'))).toBeUndefined();
  });

  it('keeps the description within 140 characters, with the reason when it went wrong', () => {
    const long = values({ 'verdict.reason': `error-rate.absolute: ${'x'.repeat(300)}` });
    const d = statusDescription(message('on-deployment-rolled-back', long), 'failure');
    expect(d.length).toBeLessThanOrEqual(140);
    expect(d).toMatch(/^api 1\.4\.2 → 1\.5\.0: rolled back \(error-rate/);
    expect(statusProblem({ state: 'failure', description: 'y'.repeat(141) })).toHaveProperty('description');
  });
});

describe('githubSender against the GitHub stand-in', () => {
  it('creates a deployment for the pushed commit, posts its statuses; the next success makes it inactive', async () => {
    expect(await send('on-approval-needed')).toMatchObject({ kind: 'sent', note: 'deployment 1000: queued' });
    expect(await send('on-deployment-started')).toMatchObject({ kind: 'sent', note: 'deployment 1000: in_progress' });
    expect(await send('on-deployment-succeeded')).toMatchObject({ kind: 'sent', note: 'deployment 1000: success' });
    const [d] = gh.deployments;
    expect(d).toMatchObject({ ref: sha, environment: 'production', production_environment: true });
    expect(d!.payload).toEqual({
      slipway: { project: 'harbor', deployment: 'dep_1', service: 'api', version: '1.5.0' },
    });
    expect(d!.statuses.map((s) => s.state)).toEqual(['queued', 'in_progress', 'success']);
    expect(d!.statuses[2]).toMatchObject({
      environment: 'production',
      environment_url: 'https://quote.example.com',
      log_url: 'https://slipway.example.com/deployments/dep_1',
      description: 'api 1.4.2 → 1.5.0: live',
    });

    const next = values({ deployment: 'dep_2', from: '1.5.0', to: '1.5.1' });
    await send('on-deployment-started', next);
    await send('on-deployment-succeeded', next);
    expect(gh.deployments).toHaveLength(2);
    expect(d!.statuses.at(-1)).toMatchObject({ state: 'inactive', description: 'replaced by api 1.5.1' });
    expect(gh.rejected).toEqual([]);
  });

  it('a status before the deployment exists is retried; a lost create answer is found, not repeated', async () => {
    expect(await send('on-deployment-succeeded')).toMatchObject({
      kind: 'retry',
      error: expect.stringMatching(/no GitHub deployment yet/),
    });
    await send('on-deployment-started');
    refs.clear();
    expect(await send('on-deployment-rolled-back')).toMatchObject({ kind: 'sent', note: 'deployment 1000: failure' });
    expect(gh.deployments).toHaveLength(1);
  });

  it('has nothing to send for a release no push announced', async () => {
    const outcome = await send('on-deployment-started', values({ commit: undefined as never }));
    expect(outcome).toMatchObject({ kind: 'sent', skipped: expect.stringMatching(/no push announced/) });
    expect(gh.requests).toEqual([]);
  });

  it('a bad token or an unknown commit fails at once with GitHub’s answer', async () => {
    expect(await send('on-deployment-started', values(), service({ token: 'ghp_wrong' }))).toMatchObject({
      kind: 'failed',
      status: 401,
      error: expect.stringMatching(/Bad credentials/),
    });
    expect(await send('on-deployment-started', values({ commit: 'f'.repeat(40) }))).toMatchObject({
      kind: 'failed',
      status: 409,
    });
  });
});
