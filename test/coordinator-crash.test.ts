import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentView } from '../src/cli/follow.js';
import { LoadGenerator } from '../src/demo/load-generator.js';
import { taggedInstanceIds, until } from './support/processes.js';
import { System } from './support/system.js';

/**
 * The coordinator is SIGKILLed in the middle of deployments while traffic flows: the proxy keeps
 * serving, and the restarted coordinator finishes every deployment with no request lost and no
 * instance left behind.
 */
let system: System;
beforeAll(async () => {
  system = await System.start({ store: 'embedded', instances: 2 });
}, 120_000);
afterAll(async () => {
  await system?.close();
}, 120_000);

async function atStep(id: string, step: number): Promise<DeploymentView> {
  return until(
    `deployment ${id} to reach step ${step}`,
    async () => {
      const { deployment } = await system.client.call<{ deployment: DeploymentView }>(
        'GET',
        `/api/v1/deployments/${id}`,
      );
      return deployment.step >= step || !['running', 'rolling_back'].includes(deployment.state)
        ? deployment
        : undefined;
    },
    60_000,
    20,
  );
}

describe('coordinator crash mid-deploy', () => {
  it('SIGKILL at several points of blue-green and rolling deployments: each one finishes after the restart, zero ' +
    'failed requests', async () => {
    expect((await system.deployed('1.0.0')).state).toBe('succeeded');
    const load = new LoadGenerator({
      url: system.stagingUrl,
      rate: 120,
      mix: [
        { method: 'GET', path: '/quotes/sample', share: 0.97 },
        { method: 'GET', path: '/quotes/sample?delayMs=2000', share: 0.03 },
      ],
    });
    load.start();
    const cases: [string, string, number][] = [
      ['2.0.0', 'blue-green', 1], // waiting for the candidate to be healthy
      ['3.0.0', 'blue-green', 3], // draining the old set, slow requests in flight
      ['4.0.0', 'rolling', 5], // between batches
    ];
    try {
      for (const [version, strategy, step] of cases) {
        const d = await system.deploy(version, { strategy });
        const seen = await atStep(d.id, step);
        await system.killCoordinator();
        const during = load.snapshot().requests;
        await new Promise((r) => setTimeout(r, 1500));
        expect(load.snapshot().requests).toBeGreaterThan(during + 50); // the proxy served on its own
        await system.startCoordinator();
        const final = await system.finish(d.id);
        expect({ version, killedAtStep: seen.step, state: final.state, reason: final.reason }).toEqual({
          version,
          killedAtStep: seen.step,
          state: 'succeeded',
          reason: null,
        });
      }
      await new Promise((r) => setTimeout(r, 2500));
    } finally {
      const report = await load.stop();
      expect(report.failures).toEqual([]);
      expect(report.failed).toBe(0);
    }
    // Every instance process belongs to a live record, and every live record has its process.
    const { instances } = await system.client.call<{ instances: { id: string; desired: string; release: string }[] }>(
      'GET',
      `/api/v1/instances?project=${system.project}`,
    );
    const live = instances
      .filter((i) => i.desired !== 'stopped')
      .map((i) => i.id)
      .sort();
    await until(
      'stopped instances to exit',
      () => taggedInstanceIds('SLIPWAY_TEST_RUN', system.tag).sort().join() === live.join(),
      20_000,
    );
    expect(instances.filter((i) => i.desired === 'running').every((i) => i.release === '4.0.0')).toBe(true);
  }, 300_000);
});
