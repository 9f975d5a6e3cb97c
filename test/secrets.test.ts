import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSlipway } from './support/cli.js';
import { entryCommand } from './support/entry.js';
import { until } from './support/processes.js';
import { System } from './support/system.js';

/**
 * Secrets through the CLI and a real coordinator: a planted value set from stdin reaches the
 * instance's environment (read from /proc/<pid>/environ), survives a key rotation and a crash
 * restart, and is found nowhere on disk: not in logs, proxy state, the PGlite files or the
 * coordinator's output.
 */
const planted = `planted-7f3a9c${Math.random().toString(16).slice(2, 10)}`;
const filePlanted = `${planted}-from-file`;
let system: System;
const outside = mkdtempSync(path.join(tmpdir(), 'slipway-secret-input-'));

beforeAll(async () => {
  system = await System.start({ store: 'embedded', instances: 1 });
}, 120_000);
afterAll(async () => {
  await system?.close();
  rmSync(outside, { recursive: true, force: true });
}, 120_000);

const env = () => ({ SLIPWAY_TOKEN: system.token, SLIPWAY_TEST_RUN: system.tag });
const slipway = (args: string[]) => runSlipway(['--config', system.workspace.configPath, ...args], { env: env() });

/** The CLI with `input` on stdin (the way a value is meant to arrive). */
function slipwayWithStdin(args: string[], input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const [node, argv] = entryCommand('src/cli/main.ts', ['--config', system.workspace.configPath, ...args]);
  return new Promise((resolve) => {
    const child = spawn(node, argv, { env: { ...process.env, NO_COLOR: '1', ...env() } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** The environment of a live process, as the kernel has it. */
function environOf(pid: number): Record<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  return Object.fromEntries(entries.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
}

async function stagingInstance(): Promise<{ id: string; pid: number; state: string }> {
  const { instances } = await system.client.call<{
    instances: { id: string; pid: number | null; state: string; desired: string }[];
  }>('GET', '/api/v1/instances?environment=staging');
  const live = instances.filter((i) => i.desired === 'running' && i.pid !== null);
  expect(live).toHaveLength(1);
  return live[0] as { id: string; pid: number; state: string };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return filesUnder(full);
    return e.isFile() ? [full] : [];
  });
}

describe('secrets', () => {
  it('set from stdin and from a file, listed without values, injected into the instance at start', async () => {
    const set = await slipwayWithStdin(['secrets', 'set', 'DB_PASSWORD', '--env', 'staging'], `${planted}\n`);
    expect(set).toMatchObject({
      code: 0,
      stdout: 'set DB_PASSWORD in staging (version 1); instances get it when they next start\n',
    });
    const file = path.join(outside, 'value');
    writeFileSync(file, filePlanted, { mode: 0o600 });
    expect((await slipway(['secrets', 'set', 'API_KEY', '--env', 'staging', '--from-file', file])).code).toBe(0);
    rmSync(file);
    // An empty stdin is a mistake, not an empty secret.
    const empty = await slipwayWithStdin(['secrets', 'set', 'EMPTY', '--env', 'staging'], '');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/no value for EMPTY: pipe it into stdin/);

    const list = await slipway(['secrets', 'list', '--env', 'staging', '--json']);
    expect(JSON.parse(list.stdout).secrets.map((s: { name: string; version: number }) => [s.name, s.version])).toEqual([
      ['API_KEY', 1],
      ['DB_PASSWORD', 1],
    ]);
    expect(list.stdout).not.toContain(planted);
    expect((await slipway(['secrets', 'list', '--env', 'staging'])).stdout).toMatch(
      /^NAME\s+VERSION\s+UPDATED\s+BY\n.*API_KEY\s+1/,
    );

    expect((await system.deployed('1.0.0')).state).toBe('succeeded');
    const instance = await stagingInstance();
    const environ = environOf(instance.pid);
    expect(environ.DB_PASSWORD).toBe(planted);
    expect(environ.API_KEY).toBe(filePlanted);
    expect(environ.APP_VERSION).toBe('1.0.0');
    // The instance record (its persisted spec) does not carry them.
    const view = await system.client.call<unknown>('GET', `/api/v1/instances/${instance.id}`);
    expect(JSON.stringify(view)).not.toContain(planted);
  }, 120_000);

  it('reveal gives an admin the value; rotate-key keeps it readable; a crashed instance restarts with it', async () => {
    const reveal = await slipway(['secrets', 'reveal', 'DB_PASSWORD', '--env', 'staging']);
    expect(reveal).toMatchObject({ code: 0, stdout: planted });
    const rotate = await slipway(['secrets', 'rotate-key', '--json']);
    expect(rotate.code).toBe(0);
    const rotated = JSON.parse(rotate.stdout);
    expect(rotated).toMatchObject({ rewrapped: 2 });
    const dataDir = path.join(system.workspace.dir, '.slipway');
    expect(statSync(path.join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dataDir, 'master.key.previous')).mode & 0o777).toBe(0o600);

    // Killed behind the coordinator's back: the runtime restarts it, decrypting under the new key.
    const before = await stagingInstance();
    process.kill(before.pid, 'SIGKILL');
    const after = await until(
      'the instance to be restarted',
      async () => {
        const i = await stagingInstance().catch(() => undefined);
        return i && i.pid !== before.pid && i.state === 'healthy' ? i : undefined;
      },
      60_000,
      250,
    );
    expect(environOf(after.pid).DB_PASSWORD).toBe(planted);

    expect((await slipway(['secrets', 'unset', 'API_KEY', '--env', 'staging'])).stdout).toBe(
      'unset API_KEY in staging (was version 1)\n',
    );
    const audit = await slipway(['audit', 'export', '--since', '2020-01-01']);
    expect(audit.stdout).toMatch(/secret\.reveal/);
    expect(audit.stdout).toMatch(/secret\.rotate-key/);
    expect(audit.stdout).not.toContain(planted);
  }, 120_000);

  it('the planted values are nowhere on disk: logs, proxy state, PGlite files, coordinator output', async () => {
    // A clean stop flushes the store to its files; instances and proxy keep running.
    const coordinator = system.coordinator!;
    await system.client.call('POST', '/api/v1/system/shutdown', { stopInstances: false });
    await until('the coordinator to exit', () => coordinator.exitCode !== null, 60_000);
    const files = filesUnder(system.workspace.dir);
    const containing = (text: string) => files.filter((f) => readFileSync(f).includes(Buffer.from(text)));
    const store = path.join(system.workspace.dir, '.slipway', 'db');
    expect(files.some((f) => f.endsWith('coordinator-test.out'))).toBe(true);
    expect(files.some((f) => f.endsWith('.log') && f.includes('instances'))).toBe(true);
    // The search does see the store's files and the logs: the secret's name (not secret) is in both.
    const named = containing('secret DB_PASSWORD set (version 1)');
    expect(named.some((f) => f.startsWith(store))).toBe(true);
    expect(named.some((f) => f.endsWith('coordinator.log'))).toBe(true);
    expect(containing(planted)).toEqual([]);
    expect(containing(filePlanted)).toEqual([]);
  }, 120_000);
});
