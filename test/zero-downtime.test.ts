import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadGenerator } from '../src/demo/load-generator.js';
import { System } from './support/system.js';

/** Blue-green and rolling deployments of real processes through the real proxy, under load, with slow requests in
 * flight. */
let system: System;
beforeAll(async () => {
  system = await System.start({ instances: 2 });
}, 120_000);
afterAll(async () => {
  await system?.close();
}, 120_000);

const quote = JSON.stringify({ tonnage: 42000, vesselClass: 'tanker', routeRisk: 3 });

describe('zero downtime', () => {
  it('blue-green then rolling under steady load: every request answered, slow ones included', async () => {
    const first = await system.deployed('1.0.0');
    expect(first.state).toBe('succeeded');

    const load = new LoadGenerator({
      url: system.stagingUrl,
      rate: 150,
      mix: [
        { method: 'POST', path: '/quotes', body: quote, share: 0.5 },
        { method: 'GET', path: '/quotes/sample', share: 0.48 },
        { method: 'GET', path: '/quotes/sample?delayMs=2000', share: 0.02 },
      ],
    });
    load.start();
    try {
      await new Promise((r) => setTimeout(r, 1500));
      const blueGreen = await system.deployed('2.0.0');
      expect(blueGreen.state).toBe('succeeded');
      expect(blueGreen.strategy).toBe('blue-green');
      const rolling = await system.deployed('3.0.0', { strategy: 'rolling' });
      expect(rolling.state).toBe('succeeded');
      expect(rolling.steps.filter((s) => s.kind === 'scale').length).toBeGreaterThan(1);
      await new Promise((r) => setTimeout(r, 2500));
    } finally {
      const report = await load.stop();
      expect(report.failures).toEqual([]);
      expect(report.failed).toBe(0);
      expect(report.requests).toBeGreaterThan(500);
      // All three releases answered, and the last one is serving now.
      expect(Object.keys(report.byRelease).sort()).toEqual(['1.0.0', '2.0.0', '3.0.0']);
    }
  }, 180_000);
});
