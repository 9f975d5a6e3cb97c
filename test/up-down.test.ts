import { reservePort } from './support/test-ports.js';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDemoWorkspace, type DemoWorkspace } from '../src/demo/workspace.js';
import { seedWorkspaceStore } from './support/store-seed.js';
import { entryCommand } from './support/entry.js';
import { killTagged, pidsWithEnv, until } from './support/processes.js';
import { randomUUID } from 'node:crypto';
import { request } from 'undici';

/** `slipway up` (foreground and --detach) and `slipway down`, as a user runs them. */
let workspace: DemoWorkspace | undefined;
let tag = '';
afterEach(() => {
  killTagged('SLIPWAY_TEST_RUN', tag);
  if (workspace) rmSync(workspace.dir, { recursive: true, force: true });
  workspace = undefined;
});

function run(args: string[], env: Record<string, string> = {}) {
  const [node, argv] = entryCommand('src/cli/main.ts', ['--config', workspace!.configPath, ...args]);
  const child = spawn(node, argv, {
    env: { ...process.env, NO_COLOR: '1', SLIPWAY_TEST_RUN: tag, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number }>((resolve) => child.on('close', (code) => resolve({ code: code ?? -1 })));
  return { child, done, out: () => stdout, err: () => stderr };
}

async function serves(url: string): Promise<string | undefined> {
  try {
    const res = await request(url, { headersTimeout: 2000 });
    const body = await res.body.text();
    return res.statusCode === 200 ? body : undefined;
  } catch {
    return undefined;
  }
}

describe('slipway up / down', () => {
  it('up --detach prints the token once and returns; deploy works; down stops every process', async () => {
    workspace = await createDemoWorkspace({ instances: 1, pickPort: reservePort });
    seedWorkspaceStore(workspace);
    tag = randomUUID();
    const up = run(['up', '--detach']);
    expect((await up.done).code).toBe(0);
    const token = /Admin token[^\n]*\n\s+(slw_\S+)/.exec(up.out())?.[1];
    expect(token, up.out() + up.err()).toBeTruthy();
    const tokenFile = path.join(workspace.dir, '.slipway', 'cli-token');
    expect(readFileSync(tokenFile, 'utf8').trim()).toBe(token);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);

    const again = run(['up', '--detach']);
    expect((await again.done).code).toBe(0);
    expect(again.out()).toContain('already running');
    expect(again.out()).not.toContain(token!);

    const deploy = run(['deploy', 'quote-api', '--env', 'staging', '--version', '1.0.0', '--wait']);
    expect((await deploy.done).code).toBe(0);
    expect(await serves(`http://127.0.0.1:${workspace.ports.staging}/version`)).toContain('"release":"1.0.0"');
    expect(pidsWithEnv('SLIPWAY_TEST_RUN', tag).length).toBeGreaterThanOrEqual(3); // coordinator, proxy, instance

    const down = run(['down']);
    expect((await down.done).code).toBe(0);
    expect(down.out()).toContain('stopped instances, proxy and coordinator');
    await until('every process to be gone', () => pidsWithEnv('SLIPWAY_TEST_RUN', tag).length === 0, 30_000);
    expect(await serves(`http://127.0.0.1:${workspace.ports.staging}/version`)).toBeUndefined();

    // up again: what down stopped is started again (the stable release, by a deployment of it).
    const back = run(['up', '--detach']);
    expect((await back.done).code).toBe(0);
    expect(back.out()).toMatch(/restarting quote-api 1\.0\.0 in staging \(dep_\w+\): its instances were stopped/);
    await until(
      'staging to serve 1.0.0 again',
      async () => (await serves(`http://127.0.0.1:${workspace!.ports.staging}/version`))?.includes('"release":"1.0.0"'),
      60_000,
    );
    expect((await run(['down']).done).code).toBe(0);
    await until('every process to be gone', () => pidsWithEnv('SLIPWAY_TEST_RUN', tag).length === 0, 30_000);
  }, 240_000);

  it('foreground up: Ctrl-C stops the coordinator, the proxy and the instances', async () => {
    workspace = await createDemoWorkspace({ instances: 1, pickPort: reservePort });
    seedWorkspaceStore(workspace);
    tag = randomUUID();
    const up = run(['up']);
    await until('up to print its banner', () => up.out().includes('Ctrl-C stops'), 90_000);
    const token = readFileSync(path.join(workspace.dir, '.slipway', 'cli-token'), 'utf8').trim();
    expect(up.out()).toContain(token);
    const deploy = run(['deploy', 'quote-api', '--env', 'staging', '--version', '1.0.0', '--wait']);
    expect((await deploy.done).code).toBe(0);
    up.child.kill('SIGINT');
    expect((await up.done).code).toBe(0);
    await until('every process to be gone', () => pidsWithEnv('SLIPWAY_TEST_RUN', tag).length === 0, 30_000);
    expect(existsSync(path.join(workspace.dir, '.slipway', 'proxy', 'proxy.pid'))).toBe(false);
  }, 180_000);

  it('a coordinator address already in use: one clear line, exit 5', async () => {
    workspace = await createDemoWorkspace({ instances: 1, pickPort: reservePort });
    seedWorkspaceStore(workspace);
    tag = randomUUID();
    const { createServer } = await import('node:net');
    const blocker = createServer().listen(workspace.ports.coordinator, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    try {
      const up = run(['coordinator']);
      const { code } = await up.done;
      expect(code).toBe(5);
      expect(up.err()).toMatch(
        new RegExp(`the coordinator address 127\\.0\\.0\\.1:${workspace.ports.coordinator} is already in use`),
      );
    } finally {
      blocker.close();
    }
  }, 120_000);

  it("an environment's address already in use: the start fails naming it, and leaves no proxy behind", async () => {
    workspace = await createDemoWorkspace({ instances: 1, pickPort: reservePort });
    seedWorkspaceStore(workspace);
    tag = randomUUID();
    const { createServer } = await import('node:net');
    const blocker = createServer().listen(workspace.ports.staging, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    try {
      const up = run(['coordinator']);
      const { code } = await up.done;
      expect(up.err()).toMatch(
        new RegExp(`environment "staging" cannot serve on 127\\.0\\.0\\.1:${workspace.ports.staging}: .*in use`),
      );
      expect(code).toBe(5);
      await until(
        'the proxy it started to be stopped',
        () => pidsWithEnv('SLIPWAY_TEST_RUN', tag).length === 0,
        20_000,
      );
    } finally {
      blocker.close();
    }
  }, 120_000);
});
