import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haproxyStateDir } from '../src/app/data-plane.js';
import type { DeploymentView } from '../src/cli/follow.js';
import { LoadGenerator } from '../src/demo/load-generator.js';
import { masterSocket } from '../src/traffic/haproxy/files.js';
import { MasterCli } from '../src/traffic/haproxy/master-cli.js';
import { sampleRing } from '../src/traffic/haproxy/sample-log.js';
import { System } from './support/system.js';

/**
 * A rolling deploy and a rollback to the warm previous release, each under steady traffic through HAProxy
 * (`proxy: { kind: haproxy }`): not one request may fail. bench:zero-downtime with `--proxy haproxy` lost 3 % of
 * its requests in the rolling deploy and 40 % in the rollback (503s) while blue-green lost none: on the saturated
 * machine the master was too slow to answer the watchdog, which started a second haproxy beside it (see
 * ensureHaproxy). A failure here prints what HAProxy logged for the failed requests (status, server, termination
 * state) beside the load report.
 */
let system: System;
let cli: MasterCli;
beforeAll(async () => {
  system = await System.start({
    instances: 3,
    drainTimeout: '3s',
    proxy: 'kind: haproxy',
    strategy: '{ type: blue-green, keepOldFor: 5m }',
  });
  cli = new MasterCli(masterSocket(haproxyStateDir(path.join(system.workspace.dir, '.slipway'))), 3_000);
  expect((await system.deployed('1.0.0')).state).toBe('succeeded');
}, 120_000);
afterAll(async () => {
  await system?.close();
}, 120_000);

/** GETs at `rate` req/s, 3 % of them slow, so requests are in flight whenever an instance leaves. */
function steadyLoad(rate = 150): LoadGenerator {
  const load = new LoadGenerator({
    url: system.stagingUrl,
    rate,
    mix: [
      { method: 'GET', path: '/quotes/sample', share: 0.97 },
      { method: 'GET', path: '/quotes/sample?delayMs=1500', share: 0.03 },
    ],
  });
  load.start();
  return load;
}

/** Lines HAProxy logged for requests it did not answer with 2xx/4xx from a server (pid, id, status, …, state). */
async function haproxyFailures(): Promise<string[]> {
  const ring = await cli.worker(`show events ${sampleRing}`).catch((e: Error) => e.message);
  return ring.split('\n').filter((line) => /^\d+ \d+ 5\d\d /.test(line));
}

async function underLoad(work: () => Promise<DeploymentView>): Promise<DeploymentView> {
  const load = steadyLoad();
  let done: DeploymentView | undefined;
  try {
    await new Promise((r) => setTimeout(r, 1500)); // slow requests are in flight when the deploy starts
    done = await work();
    await new Promise((r) => setTimeout(r, 1500));
  } finally {
    const report = await load.stop();
    const failed = { failed: report.failed, failures: report.failures.slice(0, 5), haproxy: [] as string[] };
    if (report.failed > 0) failed.haproxy = (await haproxyFailures()).slice(-10);
    expect(failed).toEqual({ failed: 0, failures: [], haproxy: [] });
    expect(report.requests).toBeGreaterThan(300);
  }
  return done;
}

describe('HAProxy as the data plane: rolling and rollback under steady load', () => {
  it('a rolling deploy after the master answered nothing for 10 s: zero failed requests, one haproxy', async () => {
    const before = await cli.processes();
    const d = await underLoad(async () => {
      // As on a saturated machine: the master answers nothing for longer than the coordinator's watchdog waits
      // (its worker serves on). A second haproxy started beside it shared the address with the old one, whose
      // routes nobody updated again: requests to the instances this deploy stops failed with 503.
      process.kill(before.master, 'SIGSTOP');
      try {
        await new Promise((r) => setTimeout(r, 10_000));
      } finally {
        process.kill(before.master, 'SIGCONT');
      }
      return system.deployed('2.0.0', { strategy: 'rolling' });
    });
    expect({ state: d.state, reason: d.reason }).toEqual({ state: 'succeeded', reason: null });
    expect((await cli.processes()).master).toBe(before.master);
  }, 180_000);

  it('a rollback to the warm previous release: zero failed requests', async () => {
    // 3.0.0 goes out blue-green, which keeps 2.0.0 warm; the rollback routes to those warm instances again.
    expect((await system.deployed('3.0.0')).state).toBe('succeeded');
    const d = await underLoad(async () => {
      const { deployment } = await system.client.call<{ deployment: DeploymentView }>(
        'POST',
        `/api/v1/projects/${system.project}/rollbacks`,
        { service: 'quote-api', environment: 'staging' },
      );
      return system.finish(deployment.id);
    });
    expect(d.state).toBe('succeeded');
    const status = JSON.parse((await system.cli(['status', '--json'])).stdout);
    const svc = status.environments.find((e: { name: string }) => e.name === 'staging').services[0];
    expect(svc.traffic).toEqual([{ release: '2.0.0', role: 'stable', weight: 100 }]);
  }, 180_000);
});
