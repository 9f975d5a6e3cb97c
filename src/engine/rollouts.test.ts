import { afterEach, describe, expect, it } from 'vitest';
import { validateConfigObject } from '../config/validate.js';
import { engineHarness, type Harness } from '../../test/support/engine-harness.js';
import type { RolloutRecord } from '../model/rollout.js';
import { listDeployments } from '../store/repos/deployments.js';
import { listEvents } from '../store/repos/events.js';
import { getRelease } from '../store/repos/releases.js';
import { getRollout } from '../store/repos/rollouts.js';
import { getServiceState } from '../store/repos/service-state.js';

/** A release of three components through the engine, on the fake runtime: api and quote first, then web. */
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const service = (pathPrefix: string, extra: Record<string, unknown> = {}) => ({
  command: 'node',
  args: ['server.js'],
  instances: 1,
  route: { pathPrefix },
  health: { interval: '50ms', startTimeout: '2s' },
  drainTimeout: '1s',
  strategy: { type: 'blue-green', keepOldFor: '5m' },
  ...extra,
});

function config(environment: Record<string, unknown> = {}) {
  return validateConfigObject(
    {
      project: 'harbor',
      environments: {
        staging: { listen: '127.0.0.1:18081', ...environment },
        production: { listen: '127.0.0.1:18082' },
      },
      services: {
        api: service('/api'),
        quote: service('/quote'),
        web: service('/', { dependsOn: ['api', 'quote'] }),
      },
    },
    { baseDir: '/srv/harbor' },
  );
}

async function until(r: { id: string }, states: string[], timeoutMs = 15_000): Promise<RolloutRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = await getRollout(h!.db, r.id);
    if (now && states.includes(now.state)) return now;
    if (Date.now() > deadline)
      throw new Error(`rollout ${r.id} still ${now?.state}: ${JSON.stringify(now?.components)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function stable(name: string): Promise<string | undefined> {
  const state = await getServiceState(h!.db, 'harbor', 'staging', name);
  return state?.stableRelease ? (await getRelease(h!.db, state.stableRelease))?.version : undefined;
}

const release = (version: string) => ({ project: 'harbor', environment: 'staging', version, requestedBy: 'ana' });

describe('rollouts: one release of the project', () => {
  it('moves every component level by level and succeeds when all do', async () => {
    h = await engineHarness(config());
    const started = await h.engine.release(release('1.0.0'));
    expect(started.components.map((c) => [c.service, c.level])).toEqual([
      ['api', 0],
      ['quote', 0],
      ['web', 1],
    ]);
    const done = await until(started, ['succeeded', 'failed', 'rolled_back']);
    expect(done.state).toBe('succeeded');
    expect(done.components.map((c) => c.phase)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    for (const s of ['api', 'quote', 'web']) expect(await stable(s)).toBe('1.0.0');
    // web started only after api and quote had succeeded.
    const deployments = await listDeployments(h.db, { project: 'harbor', limit: 10 });
    const of = (s: string) => deployments.find((d) => d.service === s)!;
    expect(of('web').createdAt.getTime()).toBeGreaterThanOrEqual(of('api').finishedAt!.getTime());
    expect(of('web').createdAt.getTime()).toBeGreaterThanOrEqual(of('quote').finishedAt!.getTime());
    expect(of('web').settings.rollout).toBe(started.id);
    const kinds = (await listEvents(h.db, { project: 'harbor', limit: 100 })).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['rollout.started', 'rollout.level', 'rollout.succeeded']));
  });

  it('a failing last component rolls back the components that already moved, and only those', async () => {
    h = await engineHarness(config());
    await until(await h.engine.release(release('1.0.0')), ['succeeded']);
    h.runtime.behaviour = (spec) => (spec.service === 'web' && spec.release === '2.0.0' ? 'unhealthy' : 'healthy');
    const second = await h.engine.release(release('2.0.0'));
    const done = await until(second, ['succeeded', 'failed', 'rolled_back']);
    expect(done.state).toBe('rolled_back');
    expect(done.reason).toMatch(/^web failed: /);
    expect(Object.fromEntries(done.components.map((c) => [c.service, c.phase]))).toEqual({
      api: 'reverted',
      quote: 'reverted',
      web: 'failed',
    });
    for (const s of ['api', 'quote', 'web']) expect(await stable(s)).toBe('1.0.0');
    const rollbacks = (await listDeployments(h.db, { project: 'harbor', limit: 20 })).filter(
      (d) => d.kind === 'rollback',
    );
    expect(rollbacks.map((d) => d.service).sort()).toEqual(['api', 'quote']);
    expect(rollbacks.every((d) => d.settings.rollout === second.id && d.state === 'succeeded')).toBe(true);
  });

  it('a person rolling back one live component during the watch rolls the whole release back', async () => {
    h = await engineHarness(config({ watch: { for: '2m' } }));
    await until(await h.engine.release(release('1.0.0')), ['succeeded']);
    const second = await until(await h.engine.release(release('2.0.0')), ['succeeded']);
    expect(second.watchUntil).toBeDefined();
    await h.engine.rollback({ project: 'harbor', service: 'api', environment: 'staging', requestedBy: 'ben' });
    const back = await until(second, ['rolled_back', 'failed']);
    expect(back.state).toBe('rolled_back');
    expect(back.reason).toMatch(/^api was rolled back by ben/);
    for (const s of ['api', 'quote', 'web']) expect(await stable(s)).toBe('1.0.0');
  });

  it('refuses a release that is already live, and one while another is moving', async () => {
    h = await engineHarness(config());
    const first = await h.engine.release(release('1.0.0'));
    await expect(h.engine.release(release('1.1.0'))).rejects.toThrow(/still rolling out in staging/);
    await until(first, ['succeeded']);
    await expect(h.engine.release(release('1.0.0'))).rejects.toThrow(/already live in staging/);
  });

  it('admits the release as a whole: a rule any component fails refuses it before anything moves', async () => {
    h = await engineHarness(config());
    await until(await h.engine.release(release('1.0.0')), ['succeeded']);
    const c = config();
    c.environments[1]!.requires = ['staging'];
    c.environments[1]!.soakMs = 3_600_000;
    await h.engine.applyProject(c);
    await expect(h.engine.release({ ...release('1.0.0'), environment: 'production' })).rejects.toThrow(
      /^release 1\.0\.0 may not enter production: api 1\.0\.0 .*soaked in staging/,
    );
    expect(await listDeployments(h.db, { project: 'harbor', environment: 'production' })).toEqual([]);
  });

  it('a restarted coordinator picks the rollout up where it was', async () => {
    h = await engineHarness(config());
    const started = await h.engine.release(release('1.0.0'));
    await h.restart();
    const done = await until(started, ['succeeded', 'failed', 'rolled_back']);
    expect(done.state).toBe('succeeded');
    for (const s of ['api', 'quote', 'web']) expect(await stable(s)).toBe('1.0.0');
  });
});
