import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { validateConfigObject } from '../config/validate.js';
import { planPush } from './plan.js';
import { parsePush, versionFor } from './push-event.js';

/** Real payloads from @octokit/webhooks-examples: a push to master, and a deleted tag. */
const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as {
  name: string;
  examples: Record<string, unknown>[];
}[];
const pushes = examples.find((e) => e.name === 'push')!.examples;
const toMaster = pushes.find((p) => p.ref === 'refs/heads/master')!;
const deletedTag = pushes.find((p) => p.deleted === true)!;

const config = validateConfigObject(
  {
    project: 'harbor',
    environments: { development: { listen: '127.0.0.1:18080' }, staging: { listen: '127.0.0.1:18081' } },
    services: { api: { command: 'node' }, web: { command: 'node', route: { pathPrefix: '/web' } } },
    triggers: {
      github: {
        secret: 'env:HOOK_SECRET',
        rules: [
          { branch: 'master', environment: 'staging' },
          { branch: 'feature/*', environment: 'development', services: ['web'], version: '{sha}' },
        ],
      },
    },
  },
  { baseDir: '/srv/harbor' },
);

describe('push payloads', () => {
  it('reads branch, head commit, its time and the pusher from a real push', () => {
    const parsed = parsePush(toMaster);
    expect(parsed).toEqual({
      ok: true,
      push: {
        repository: 'Codertocat/Hello-World',
        ref: 'refs/heads/master',
        branch: 'master',
        deleted: false,
        sha: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
        committedAt: new Date('2019-05-15T15:19:25Z'),
        pusher: 'Codertocat',
      },
    });
  });

  it('names every missing or wrong field', () => {
    const parsed = parsePush({ ...toMaster, ref: undefined, pusher: {} });
    expect(parsed).toEqual({
      ok: false,
      reason: expect.stringMatching(/^not a GitHub push payload: ref: .*; pusher\.name: /),
    });
    expect(parsePush([])).toEqual({ ok: false, reason: expect.stringContaining('(payload)') });
  });

  it('versions are the short or the full sha', () => {
    expect(versionFor('{sha7}', '6113728f27ae82c7b1a177c8d03f9e96e0adf246')).toBe('6113728');
    expect(versionFor('{sha}', '6113728f27ae82c7b1a177c8d03f9e96e0adf246')).toBe(
      '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
    );
  });
});

describe('planPush', () => {
  const push = (payload: unknown) => {
    const parsed = parsePush(payload);
    if (!parsed.ok) throw new Error(parsed.reason);
    return parsed.push;
  };

  it('the first matching rule deploys every service (or the listed ones) at the templated version', () => {
    expect(planPush(config, push(toMaster))).toEqual({
      deploy: [
        { project: 'harbor', service: 'api', environment: 'staging', version: '6113728' },
        { project: 'harbor', service: 'web', environment: 'staging', version: '6113728' },
      ],
    });
    expect(planPush(config, push({ ...toMaster, ref: 'refs/heads/feature/login' }))).toEqual({
      deploy: [
        {
          project: 'harbor',
          service: 'web',
          environment: 'development',
          version: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
        },
      ],
    });
  });

  it('tags, deleted refs and unmatched branches deploy nothing, saying why', () => {
    expect(planPush(config, push(deletedTag))).toEqual({ ignored: 'refs/tags/simple-tag was deleted' });
    expect(planPush(config, push({ ...toMaster, ref: 'refs/tags/v1' }))).toEqual({
      ignored: 'refs/tags/v1 is not a branch',
    });
    expect(planPush(config, push({ ...toMaster, ref: 'refs/heads/fix/x' }))).toEqual({
      ignored: 'no rule of triggers.github matches branch "fix/x" (rules: master, feature/*)',
    });
  });
});

describe('triggers config', () => {
  const base = {
    project: 'p',
    environments: { staging: { listen: '127.0.0.1:18081' } },
    services: { api: { command: 'node' } },
  };
  const attempt = (github: unknown) => {
    try {
      validateConfigObject({ ...base, triggers: { github } }, { baseDir: '/srv' });
      return 'valid';
    } catch (e) {
      return (e as Error).message;
    }
  };

  it('the secret must come from the environment', () => {
    expect(attempt({ secret: 'hunter2', rules: [{ branch: 'main', environment: 'staging' }] })).toMatch(
      /triggers\.github\.secret: expected env:VARIABLE/,
    );
  });

  it('rules name declared environments and services', () => {
    const message = attempt({ secret: 'env:S', rules: [{ branch: 'main', environment: 'stagin', services: ['apx'] }] });
    expect(message).toMatch(
      /triggers\.github\.rules\[0\]\.environment: unknown environment "stagin" \(did you mean "staging"\?\)/,
    );
    expect(message).toMatch(/triggers\.github\.rules\[0\]\.services\[0\]: unknown service "apx"/);
  });

  it('version is one of the two templates; defaults to {sha7}', () => {
    expect(attempt({ secret: 'env:S', rules: [{ branch: 'main', environment: 'staging', version: '{tag}' }] })).toMatch(
      /triggers\.github\.rules\[0\]\.version: expected one of \{sha7\}, \{sha\}/,
    );
    const parsed = validateConfigObject(
      { ...base, triggers: { github: { secret: 'env:S', rules: [{ branch: 'main', environment: 'staging' }] } } },
      { baseDir: '/srv' },
    );
    expect(parsed.triggers).toEqual({
      github: { secret: 'env:S', rules: [{ branch: 'main', environment: 'staging', version: '{sha7}' }] },
    });
  });
});
