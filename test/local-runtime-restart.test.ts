import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isProcessAlive } from '../src/runtimes/local/process-identity.js';
import { fixtureSpec, httpRequest, RuntimeHarness, waitFor } from './support/local-runtime.js';

// Crashes: exit events with the log tail, restarts with backoff, a new port when the old is taken.
describe('LocalRuntime: crash and restart', () => {
  let harness: RuntimeHarness;
  let blocker: Server | undefined;

  beforeEach(async () => {
    harness = new RuntimeHarness();
    await harness.setup();
  });

  afterEach(async () => {
    await harness.cleanup();
    await new Promise((resolve) => (blocker ? blocker.close(resolve) : resolve(undefined)));
    blocker = undefined;
  });

  it('reports a crash with its log tail, restarts after the backoff and becomes healthy again', async () => {
    const runtime = harness.create({ restartBackoff: { initialMs: 300, maxMs: 1000 } });
    const spec = fixtureSpec();
    const first = await runtime.start(spec);
    await harness.waitForState(spec.instanceId, 'healthy');

    await httpRequest(first.address, '/crash', 'POST');
    const [exit] = await waitFor(
      'an exit event',
      () => harness.eventsOf('exit', spec.instanceId).length > 0 && harness.eventsOf('exit', spec.instanceId),
    );
    expect(exit!.exit).toMatchObject({ code: 3, signal: null });
    expect(exit!.logTail.at(-1)).toBe('fixture: crashing on request');
    expect(exit!.logTail.length).toBeLessThanOrEqual(20);

    const [handleEvent] = await waitFor(
      'a handle event',
      () => harness.eventsOf('handle', spec.instanceId).length > 0 && harness.eventsOf('handle', spec.instanceId),
    );
    const second = handleEvent!.handle;
    expect(second.pid).not.toBe(first.pid);
    expect(second).toMatchObject({ runtime: 'local', restarts: 1, logFile: first.logFile });
    await harness.waitForState(spec.instanceId, 'healthy');
    expect(harness.states(spec.instanceId)).toEqual(['starting', 'healthy', 'crashed', 'starting', 'healthy']);

    const crashed = harness.eventsOf('state', spec.instanceId).find((e) => e.status.state === 'crashed')!.status;
    expect(crashed.nextRestartAt! - crashed.lastExit!.at).toBe(300);
    expect(crashed.message).toBe('exited with code 3; restarting in 300ms');
    expect(runtime.list()[0]).toMatchObject({ state: 'healthy', restarts: 1, pid: second.pid, lastExit: { code: 3 } });
    expect(JSON.parse((await httpRequest(second.address, '/')).body).pid).toBe(second.pid);

    const log = await readFile(first.logFile as string, 'utf8');
    expect(log.match(/^--- slipway: starting v1 pid \d+ port \d+ at .* ---$/gm)).toHaveLength(2);
  });

  it('doubles the delay after each crash up to the maximum', async () => {
    const runtime = harness.create({ restartBackoff: { initialMs: 100, maxMs: 400 } });
    const spec = fixtureSpec({ env: { CRASH_AFTER_MS: '100' } });
    await runtime.start(spec);
    const crashes = await waitFor(
      'four crashes',
      () => {
        const c = harness.eventsOf('state', spec.instanceId).filter((e) => e.status.state === 'crashed');
        return c.length >= 4 && c;
      },
      60_000,
    );
    expect(crashes.slice(0, 4).map((e) => e.status.nextRestartAt! - e.status.lastExit!.at)).toEqual([
      100, 200, 400, 400,
    ]);
    expect(crashes.slice(0, 4).map((e) => e.status.restarts)).toEqual([0, 1, 2, 3]);
    expect(harness.eventsOf('exit', spec.instanceId).length).toBeGreaterThanOrEqual(4);
  });

  it('restarts on a new port when the old one has been taken', async () => {
    const runtime = harness.create({ restartBackoff: { initialMs: 1500, maxMs: 3000 } });
    const spec = fixtureSpec();
    const first = await runtime.start(spec);
    await harness.waitForState(spec.instanceId, 'healthy');

    await httpRequest(first.address, '/crash', 'POST');
    await harness.waitForState(spec.instanceId, 'crashed');
    blocker = createServer();
    await new Promise<void>((resolve, reject) =>
      blocker!.once('error', reject).listen(first.port as number, '127.0.0.1', resolve),
    );

    const [handleEvent] = await waitFor(
      'a handle event',
      () => harness.eventsOf('handle', spec.instanceId).length > 0 && harness.eventsOf('handle', spec.instanceId),
    );
    const second = handleEvent!.handle;
    expect(second.port).not.toBe(first.port);
    expect(second.address).toBe(`127.0.0.1:${second.port}`);
    await harness.waitForState(spec.instanceId, 'healthy');
    expect(runtime.list()[0]).toMatchObject({ address: second.address, restarts: 1 });
  });

  it('stops an instance whose restart is pending without restarting it', async () => {
    const runtime = harness.create({ restartBackoff: { initialMs: 30_000, maxMs: 30_000 } });
    const spec = fixtureSpec();
    const first = await runtime.start(spec);
    await harness.waitForState(spec.instanceId, 'healthy');
    await httpRequest(first.address, '/crash', 'POST');
    await harness.waitForState(spec.instanceId, 'crashed');
    expect(runtime.list()[0]?.nextRestartAt).toBeGreaterThan(Date.now());

    await runtime.stop(spec.instanceId);
    expect(harness.states(spec.instanceId).slice(-2)).toEqual(['stopping', 'stopped']);
    expect(harness.eventsOf('handle', spec.instanceId)).toEqual([]);
    expect(runtime.list()).toEqual([]);
  });

  it('fails (no more restarts) when the release directory disappeared', async () => {
    const cwd = await mkdtemp(join(harness.logDir, 'release-'));
    const runtime = harness.create({ restartBackoff: { initialMs: 300, maxMs: 300 } });
    const spec = fixtureSpec({ cwd });
    const first = await runtime.start(spec);
    await harness.waitForState(spec.instanceId, 'healthy');
    await rm(cwd, { recursive: true });
    await httpRequest(first.address, '/crash', 'POST');

    await harness.waitForState(spec.instanceId, 'failed');
    expect(runtime.list()[0]?.message).toBe(`restart failed: working directory does not exist: ${cwd} (service quote)`);
    expect(isProcessAlive({ pid: first.pid as number, procStart: first.procStart as number })).toBe(false);
  });
});
