import { readFileSync } from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { cliCommand } from '../src/app/proxy-command.js';
import { until } from './support/processes.js';
import { System } from './support/system.js';

/** The data plane is its own process: SIGKILLed, it comes back with its routes — with or without the coordinator. */
let system: System;
beforeAll(async () => {
  system = await System.start({ store: 'embedded', instances: 2 });
  expect((await system.deployed('1.0.0')).state).toBe('succeeded');
}, 120_000);
afterAll(async () => {
  await system?.close();
}, 120_000);

const proxyPidFile = () => path.join(system.workspace.dir, '.slipway', 'proxy', 'proxy.pid');
const proxyPid = () => (JSON.parse(readFileSync(proxyPidFile(), 'utf8')) as { pid: number }).pid;

async function version(): Promise<string | undefined> {
  try {
    const res = await request(`${system.stagingUrl}/version`, { headersTimeout: 2000 });
    const body = (await res.body.json()) as { release?: string };
    return res.statusCode === 200 ? body.release : undefined;
  } catch {
    return undefined;
  }
}

describe('proxy crash', () => {
  it('SIGKILL: the coordinator restarts it and it serves the same routes again', async () => {
    const pid = proxyPid();
    process.kill(pid, 'SIGKILL');
    expect(await until('the proxy to serve again', version, 30_000, 100)).toBe('1.0.0');
    expect(proxyPid()).not.toBe(pid);
    await until(
      'the restart to be recorded',
      async () => {
        const { events } = await system.client.call<{ events: { kind: string }[] }>(
          'GET',
          `/api/v1/events?project=${system.project}`,
        );
        return events.some((e) => e.kind === 'proxy.restarted');
      },
      15_000,
    );
  }, 60_000);

  it('with the coordinator down too, a restarted proxy serves from the routes it saved', async () => {
    await system.killCoordinator();
    process.kill(proxyPid(), 'SIGKILL');
    await until('the proxy to stop answering', async () => (await version()) === undefined, 10_000);
    const stateDir = path.join(system.workspace.dir, '.slipway', 'proxy');
    const [node, args] = cliCommand([
      'proxy',
      '--admin',
      `127.0.0.1:${system.workspace.ports.proxyAdmin}`,
      '--state-dir',
      stateDir,
    ]);
    const proxy = spawn(node, args, { env: { ...process.env, SLIPWAY_TEST_RUN: system.tag }, stdio: 'ignore' });
    try {
      expect(await until('the restarted proxy to serve', version, 30_000, 100)).toBe('1.0.0');
      // Both instances are in its table, not only one.
      const seen = new Set<string>();
      for (let i = 0; i < 20; i++) {
        const res = await request(`${system.stagingUrl}/version`);
        seen.add(((await res.body.json()) as { instance: string }).instance);
      }
      expect(seen.size).toBe(2);
    } finally {
      proxy.kill('SIGTERM');
      await new Promise((r) => proxy.once('exit', r));
    }
    await system.startCoordinator();
  }, 120_000);
});
