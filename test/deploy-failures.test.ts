import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentView } from '../src/cli/follow.js';
import { SlipwayError } from '../src/shared/errors.js';
import { LoadGenerator } from '../src/demo/load-generator.js';
import { taggedInstanceIds, until } from './support/processes.js';
import { System } from './support/system.js';

/** Bad candidates, refused requests, rollback and crashes — with the stable release serving throughout. */
let system: System;
let load: LoadGenerator;
beforeAll(async () => {
  system = await System.start({ instances: 2, extraReleases: '      "9.9.9": { command: /no/such/program }\n' });
  expect((await system.deployed('1.0.0')).state).toBe('succeeded');
  load = new LoadGenerator({
    url: system.stagingUrl,
    rate: 80,
    mix: [{ method: 'GET', path: '/quotes/sample', share: 1 }],
  });
  load.start();
}, 120_000);
afterAll(async () => {
  const report = await load?.stop();
  await system?.close();
  // Nothing in this file may cost the stable release a single request.
  expect(report?.failures).toEqual([]);
}, 120_000);

interface InstanceView {
  id: string;
  release: string;
  desired: string;
  state: string;
  restarts: number;
  pid: number | null;
}
const instances = () => system.instances<InstanceView>();

describe('a candidate that never becomes healthy', () => {
  it('CRASH_ON_START: the deployment fails, names the instance, shows its log; traffic never moved; candidates ' +
    'stopped', async () => {
    const before = load.snapshot().requests;
    const d = await system.deployed('2.0.0', { set: { CRASH_ON_START: '1' } });
    expect(d.state).toBe('failed');
    expect(d.reason).toMatch(
      /instance ins_\w+ of quote-api 2\.0\.0 is crash-looping \(\d+ restarts while starting; last exit code 1\)/,
    );
    expect(d.reason).toContain('CRASH_ON_START is set, exiting');
    expect(d.trafficShifted).toBe(false);
    expect(d.rolledBackFrom?.steps[d.rolledBackFrom.step]?.kind).toBe('waitHealthy');
    expect(load.snapshot().byRelease['2.0.0']).toBeUndefined(); // not one request reached it
    const live = (await instances()).filter((i) => i.desired !== 'stopped');
    expect(live.map((i) => i.release)).toEqual(['1.0.0', '1.0.0']);
    await until(
      'candidate processes to be gone',
      () => taggedInstanceIds('SLIPWAY_TEST_RUN', system.tag).length === 2,
      15_000,
    );
    expect(load.snapshot().requests).toBeGreaterThan(before);
  }, 120_000);

  it('a command that does not exist fails at once with a clear reason', async () => {
    const d = await system.deployed('9.9.9');
    expect(d.state).toBe('failed');
    expect(d.reason).toMatch(/command not found: \/no\/such\/program/);
    expect(Date.parse(d.finishedAt!) - Date.parse(d.startedAt!)).toBeLessThan(15_000);
  }, 60_000);
});

describe('one deployment per service and environment', () => {
  it('a second deployment is refused naming the running one; --queue runs it afterwards', async () => {
    const slow = await system.deploy('2.1.0', { set: { SLOW_START_MS: '3000' } });
    const refused = await system.deploy('2.2.0').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SlipwayError);
    expect((refused as SlipwayError).code).toBe('conflict');
    expect((refused as SlipwayError).message).toContain(slow.id);
    const queued = await system.deploy('2.2.0', { queue: true });
    expect(queued.state).toBe('queued');
    expect((await system.finish(slow.id)).state).toBe('succeeded');
    const second = await system.finish(queued.id);
    expect(second.state).toBe('succeeded');
    expect(second.from?.version).toBe('2.1.0');
  }, 120_000);
});

describe('rollback', () => {
  it('while the previous release is warm: one route change, its instances reused', async () => {
    const before = new Set((await instances()).map((i) => i.id));
    const { deployment, aborted } = await system.client.call<{ deployment: DeploymentView; aborted: boolean }>(
      'POST',
      `/api/v1/projects/${system.project}/rollbacks`,
      {
        service: 'quote-api',
        environment: 'staging',
      },
    );
    expect(aborted).toBe(false);
    expect(deployment.to.version).toBe('2.1.0');
    const final = await system.finish(deployment.id);
    expect(final.state).toBe('succeeded');
    const now = await instances();
    const serving = now.filter((i) => i.desired === 'running');
    expect(serving.map((i) => i.release)).toEqual(['2.1.0', '2.1.0']);
    expect(serving.every((i) => before.has(i.id))).toBe(true); // reused, not re-created
  }, 120_000);
});

describe('an instance crash', () => {
  it('is restarted, and traffic is routed around it meanwhile', async () => {
    const victim = (await instances()).find((i) => i.desired === 'running' && i.state === 'healthy')!;
    const failedBefore = load.snapshot().failed;
    process.kill(victim.pid!, 'SIGKILL');
    const back = await until(
      'the instance to be restarted and healthy',
      async () => {
        const i = (await instances()).find((x) => x.id === victim.id);
        return i && i.restarts >= 1 && i.state === 'healthy' ? i : undefined;
      },
      30_000,
    );
    expect(back.pid).not.toBe(victim.pid);
    expect(load.snapshot().failed).toBe(failedBefore);
    const { events } = await system.client.call<{ events: { kind: string; data: Record<string, unknown> }[] }>(
      'GET',
      `/api/v1/events?project=${system.project}&limit=5000`,
    );
    expect(events.some((e) => e.kind === 'instance.crashed' && e.data.instance === victim.id)).toBe(true);
  }, 60_000);
});
