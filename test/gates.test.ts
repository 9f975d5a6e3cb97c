import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { System } from './support/system.js';

/**
 * Smoke checks against real processes: the check goes through the proxy to the environment's
 * address once all traffic is on the new release. 1.0.0 answers what the check expects; 1.1.0
 * does not, so it is rolled back and traffic is on 1.0.0 again.
 */
let system: System;

beforeAll(async () => {
  system = await System.start({
    instances: 1,
    environmentExtras: {
      staging:
        'gates: { after: [{ name: version, path: /version, expect: { status: 200, bodyContains: ' +
        '"\\"release\\":\\"1.0.0\\"" } }] }',
    },
  });
}, 120_000);
afterAll(async () => {
  await system?.close();
}, 120_000);

const slipway = (args: string[]) => system.cli(args);

async function servedRelease(): Promise<string> {
  const res = await request(`${system.stagingUrl}/version`);
  return ((await res.body.json()) as { release: string }).release;
}

describe('smoke checks', () => {
  it('a release that passes is promoted; its result is stored and shown', async () => {
    const d = await system.deployed('1.0.0');
    expect(d.state).toBe('succeeded');
    const { gates } = await system.client.call<{
      gates: { phase: string; name: string; kind: string; outcome: string; detail: { status?: number } }[];
    }>('GET', `/api/v1/deployments/${d.id}/gates`);
    expect(gates).toEqual([
      expect.objectContaining({
        phase: 'after',
        name: 'version',
        kind: 'smoke',
        outcome: 'pass',
        detail: expect.objectContaining({ status: 200 }),
      }),
    ]);
    expect(await servedRelease()).toBe('1.0.0');
  }, 120_000);

  it('a release that fails is rolled back and traffic is on the previous release again', async () => {
    const r = await slipway(['deploy', 'quote-api', '--env', 'staging', '--version', '1.1.0', '--wait']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      new RegExp(
        String.raw`smoke check "version" failed: GET http:\/\/127\.0\.0\.1:\d+\/version: the body does not contain` +
          String.raw` "\\"release\\":\\"1\.0\.0\\""`,
      ),
    );

    const { deployments } = await system.client.call<{ deployments: { id: string; state: string }[] }>(
      'GET',
      '/api/v1/deployments?environment=staging&limit=1',
    );
    expect(deployments[0]!.state).toBe('rolled_back');
    const { gates } = await system.client.call<{ gates: { outcome: string; outputTail: string }[] }>(
      'GET',
      `/api/v1/deployments/${deployments[0]!.id}/gates`,
    );
    expect(gates).toEqual([
      expect.objectContaining({ outcome: 'fail', outputTail: expect.stringContaining('"release":"1.1.0"') }),
    ]);
    expect(await servedRelease()).toBe('1.0.0');

    const status = await slipway(['status']);
    expect(status.stdout).toMatch(/quote-api: last deployment .*rolled.back.*: smoke check "version" failed/);
  }, 120_000);
});
