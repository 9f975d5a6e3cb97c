import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RuntimeError } from '../src/runtimes/local/index.js';
import { isProcessAlive } from '../src/runtimes/local/process-identity.js';
import { fixtureSpec, httpRequest, RuntimeHarness, waitFor } from './support/local-runtime.js';

// Start, serve, fail to start, go unhealthy, stop: the local runtime with real processes.
describe('LocalRuntime: start, health and stop', () => {
  let harness: RuntimeHarness;
  const savedEnv = { SLIPWAY_TOKEN: process.env.SLIPWAY_TOKEN, DATABASE_URL: process.env.DATABASE_URL };

  beforeEach(async () => {
    harness = new RuntimeHarness();
    await harness.setup();
  });

  afterEach(async () => {
    for (const [key, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await harness.cleanup();
  });

  it(
    'starts an instance that becomes healthy, serves on its port and gets its env but not Slipway ' + 'secrets',
    async () => {
      process.env.SLIPWAY_TOKEN = 'parent-secret-token';
      process.env.DATABASE_URL = 'postgres://secret@localhost/slipway';
      const runtime = harness.create();
      const spec = fixtureSpec({
        args: [join(import.meta.dirname, 'fixtures/instance-server.mjs'), '--port={port}'],
        env: { FIXTURE_GREETING: 'ahoy' },
      });

      const handle = await runtime.start(spec);
      const port = handle.port as number;
      expect(handle).toMatchObject({ runtime: 'local', address: `127.0.0.1:${port}`, pgid: handle.pid });
      expect(handle.procStart).toEqual(expect.any(Number));
      expect(handle.logFile).toBe(join(harness.logDir, 'test', 'quote', `${spec.instanceId}.log`));

      await harness.waitForState(spec.instanceId, 'healthy');
      expect(harness.states(spec.instanceId)).toEqual(['starting', 'healthy']);
      expect(runtime.list()).toEqual([
        expect.objectContaining({ instanceId: spec.instanceId, state: 'healthy', pid: handle.pid, restarts: 0 }),
      ]);

      const served = JSON.parse((await httpRequest(handle.address, '/')).body);
      expect(served.pid).toBe(handle.pid);
      expect(served.argv).toEqual([`--port=${port}`]);
      // Variables of the test run itself (SLIPWAY_TEST_WORKERS, SLIPWAY_TEST_CPU_LOG) are inherited like any other.
      const ofTheRun = Object.entries(process.env).filter(([name]) => name.startsWith('SLIPWAY_TEST_'));
      expect(served.env).toEqual({
        ...Object.fromEntries(ofTheRun),
        PORT: String(port),
        SLIPWAY_INSTANCE: spec.instanceId,
        SLIPWAY_SERVICE: 'quote',
        SLIPWAY_ENVIRONMENT: 'test',
        SLIPWAY_RELEASE: 'v1',
        FIXTURE_GREETING: 'ahoy',
      });

      const log = await readFile(handle.logFile as string, 'utf8');
      expect(log).toMatch(
        new RegExp(`^--- slipway: starting v1 pid ${handle.pid} port ${port} at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ---\\n`),
      );
      expect(log).toContain(`fixture: listening on ${port} pid ${handle.pid} release v1`);
    },
  );

  it('with runtime.ports, instances listen only on ports of the range', async () => {
    // Two neighbouring claimed test ports (below the ephemeral range, where nothing else binds by chance).
    const { reservePortPair } = await import('./support/test-ports.js');
    const from = await reservePortPair();
    const runtime = harness.create({ ports: { from, to: from + 1 } });
    const args = [join(import.meta.dirname, 'fixtures/instance-server.mjs'), '--port={port}'];
    const ports = [];
    for (const id of ['ins_range_a', 'ins_range_b']) {
      const handle = await runtime.start(fixtureSpec({ instanceId: id, args }));
      await harness.waitForState(id, 'healthy');
      ports.push(handle.port as number);
    }
    expect(ports.sort()).toEqual([from, from + 1]);
  });

  it('is idempotent per instance id', async () => {
    const runtime = harness.create();
    const spec = fixtureSpec();
    const [first, second] = await Promise.all([runtime.start(spec), runtime.start(spec)]);
    expect(second).toEqual(first);
    await harness.waitForState(spec.instanceId, 'healthy');
    expect(await runtime.start(spec)).toEqual(first);
    expect(runtime.list()).toHaveLength(1);
  });

  it('reports a missing command as a RuntimeError and marks the instance failed', async () => {
    const runtime = harness.create();
    const spec = fixtureSpec({ command: 'slipway-no-such-command' });
    const error = await runtime.start(spec).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RuntimeError);
    expect((error as RuntimeError).message).toBe('command not found: slipway-no-such-command (service quote)');
    expect(harness.states(spec.instanceId)).toEqual(['failed']);
    expect(runtime.list()).toEqual([expect.objectContaining({ state: 'failed', message: (error as Error).message })]);
  });

  it('reports a missing working directory', async () => {
    const runtime = harness.create();
    const spec = fixtureSpec({ cwd: '/nonexistent/slipway-release-dir' });
    await expect(runtime.start(spec)).rejects.toThrow(
      'working directory does not exist: /nonexistent/slipway-release-dir',
    );
    expect(runtime.list()[0]?.state).toBe('failed');
  });

  it('rejects a spec whose names would escape the log directory', async () => {
    const runtime = harness.create();
    await expect(runtime.start(fixtureSpec({ service: '../../etc' }))).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('service'),
    });
    expect(runtime.list()).toEqual([]);
  });

  it('detects an unhealthy instance and its recovery', async () => {
    const runtime = harness.create();
    const spec = fixtureSpec({ env: { FAIL_HEALTH: '1' } });
    const handle = await runtime.start(spec);
    await harness.waitForState(spec.instanceId, 'unhealthy');
    expect(runtime.list()[0]?.message).toMatch(/health check GET \/health failed \d+ times in a row: HTTP 500/);

    await httpRequest(handle.address, '/pass-health', 'POST');
    await harness.waitForState(spec.instanceId, 'healthy');
    await httpRequest(handle.address, '/fail-health', 'POST');
    await harness.waitForState(spec.instanceId, 'unhealthy');
    expect(harness.states(spec.instanceId)).toEqual(['starting', 'unhealthy', 'healthy', 'unhealthy']);
  });

  it('keeps a slow-booting instance starting (not unhealthy) until it listens', async () => {
    const runtime = harness.create();
    const spec = fixtureSpec({ env: { SLOW_START_MS: '1500' }, health: { unhealthyThreshold: 1 } });
    const handle = await runtime.start(spec);
    await waitFor(
      'a probe to find nothing listening',
      () => runtime.list()[0]?.message === `nothing listening on port ${handle.port} yet`,
    );
    expect(runtime.list()[0]?.state).toBe('starting');
    await harness.waitForState(spec.instanceId, 'healthy');
    expect(harness.states(spec.instanceId)).toEqual(['starting', 'healthy']);
    expect(runtime.list()[0]?.message).toBeUndefined();
  });

  it('stops with SIGTERM to the whole process group and does not restart', async () => {
    const runtime = harness.create();
    const spec = fixtureSpec({ env: { SPAWN_GRANDCHILD: '1' } });
    const handle = await runtime.start(spec);
    await harness.waitForState(spec.instanceId, 'healthy');
    const { grandchildPid } = JSON.parse((await httpRequest(handle.address, '/')).body) as { grandchildPid: number };
    harness.track(grandchildPid);
    const grandchild = { pid: grandchildPid, procStart: null };
    expect(isProcessAlive(grandchild)).toBe(true);

    await runtime.stop(spec.instanceId);
    expect(harness.states(spec.instanceId).slice(-2)).toEqual(['stopping', 'stopped']);
    expect(isProcessAlive({ pid: handle.pid as number, procStart: handle.procStart as number })).toBe(false);
    await waitFor('the grandchild to be gone', () => !isProcessAlive(grandchild));
    expect(await readFile(handle.logFile as string, 'utf8')).toContain('fixture: SIGTERM, draining');
    expect(runtime.list()).toEqual([]);
    expect(harness.eventsOf('exit', spec.instanceId)).toEqual([]);

    await runtime.stop(spec.instanceId); // idempotent
    await new Promise((resolve) => setTimeout(resolve, 600)); // longer than the restart backoff: nothing may come back
    expect(harness.eventsOf('handle', spec.instanceId)).toEqual([]);
    expect(harness.states(spec.instanceId).at(-1)).toBe('stopped');
  });

  it('SIGKILLs an instance that ignores SIGTERM once the drain timeout is over', async () => {
    const runtime = harness.create();
    const spec = fixtureSpec({ env: { IGNORE_SIGTERM: '1' }, drainTimeoutMs: 700 });
    const handle = await runtime.start(spec);
    await harness.waitForState(spec.instanceId, 'healthy');

    const began = Date.now();
    await runtime.stop(spec.instanceId);
    expect(Date.now() - began).toBeGreaterThanOrEqual(650);
    expect(isProcessAlive({ pid: handle.pid as number, procStart: handle.procStart as number })).toBe(false);
    expect(await readFile(handle.logFile as string, 'utf8')).toContain('fixture: ignoring SIGTERM');
    expect(harness.states(spec.instanceId).slice(-2)).toEqual(['stopping', 'stopped']);
  });
});
