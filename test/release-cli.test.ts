import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { harborQuoteDir } from '../src/demo/workspace.js';
import { System } from './support/system.js';

/**
 * One release of the whole project through the CLI, with real processes behind the real proxy:
 * quote-api moves first, pricing (which depends on it) after; pricing 3.0.0 crashes on start, so
 * release 3.0.0 goes back as a whole — quote-api, which had already moved, is rolled back too —
 * while a client keeps calling both services without a failed request.
 */
let system: System;

const pricing = `  pricing:
    command: ${JSON.stringify(process.execPath)}
    args: [server.js]
    cwd: ${JSON.stringify(harborQuoteDir)}
    env: { APP_VERSION: "{version}" }
    instances: 1
    route: { pathPrefix: /pricing }
    health: { path: /health, interval: 250ms, timeout: 1s, healthyThreshold: 1, startTimeout: 20s }
    drainTimeout: 2s
    dependsOn: [quote-api]
    releases:
      "3.0.0": { env: { CRASH_ON_START: "1" } }`;

beforeAll(async () => {
  system = await System.start({ instances: 1, drainTimeout: '2s', extraServices: pricing });
}, 120_000);
afterAll(async () => {
  await system?.close();
}, 120_000);

const slipway = (args: string[]) => system.cli(args);

/** Calls both services until stopped; counts what failed. */
function keepCalling() {
  let running = true;
  const outcome = { ok: 0, failed: [] as string[] };
  const loop = (async () => {
    while (running) {
      for (const path of ['/version', '/pricing/version']) {
        try {
          const res = await request(`${system.stagingUrl}${path}`);
          const body = await res.body.text();
          // The proxy passes the path as is; harbor-quote answers /pricing/version with its own 404.
          const answered = path === '/version' ? res.statusCode === 200 : body.includes('no route for GET /pricing');
          if (answered) outcome.ok++;
          else outcome.failed.push(`${path} ${res.statusCode}`);
        } catch (e) {
          outcome.failed.push(`${path} ${(e as Error).message}`);
        }
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return outcome;
    },
  };
}

describe('slipway release', () => {
  it('moves quote-api first, then pricing, and reports the release live', async () => {
    const r = await slipway(['release', '1.0.0', '--env', 'staging', '--wait']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/release 1\.0\.0 → staging: quote-api → pricing/);
    expect(r.stderr.indexOf('quote-api succeeded')).toBeLessThan(r.stderr.indexOf('pricing deploying'));
    expect(r.stdout).toMatch(/release 1\.0\.0 is live in staging in \S+: quote-api succeeded, pricing succeeded/);

    const again = await slipway(['release', '1.0.0', '--env', 'staging']);
    expect(again.code).toBe(5);
    expect(again.stderr).toMatch(
      /release 1\.0\.0 is already live in staging \(quote-api, pricing\); nothing to deploy/,
    );
  }, 120_000);

  it('a component that fails rolls back the one that moved before it, with no failed request', async () => {
    const calls = keepCalling();
    const r = await slipway(['release', '3.0.0', '--env', 'staging', '--wait']);
    const seen = await calls.stop();
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/release 3\.0\.0 rolled back in staging in \S+: quote-api reverted, pricing failed/);
    expect(r.stdout).toMatch(/reason: pricing failed: /);
    expect(seen.failed).toEqual([]);
    expect(seen.ok).toBeGreaterThan(10);

    const status = await slipway(['status', '--env', 'staging']);
    expect(status.stdout).toMatch(/release 3\.0\.0: rolled back \S+ ago — quote-api reverted, pricing failed/);
    const json = JSON.parse((await slipway(['status', '--json'])).stdout);
    const staging = json.environments.find((e: { name: string }) => e.name === 'staging');
    expect(staging.services.map((s: { service: string; stable: string }) => [s.service, s.stable])).toEqual([
      ['quote-api', '1.0.0'],
      ['pricing', '1.0.0'],
    ]);
  }, 180_000);

  it('slipway rollback --release takes a live release back as a whole', async () => {
    expect((await slipway(['release', '2.0.0', '--env', 'staging', '--wait'])).code).toBe(0);
    const r = await slipway(['rollback', '--release', '--env', 'staging']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/release 2\.0\.0 rolled back in staging in \S+: quote-api reverted, pricing reverted/);
    const bad = await slipway(['rollback', 'quote-api', '--release', '--env', 'staging']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--release rolls back every service of the release: leave out the service/);
  }, 180_000);
});
