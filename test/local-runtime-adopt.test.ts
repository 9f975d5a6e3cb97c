import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InstanceHandle } from '../src/runtimes/runtime.js';
import { RuntimeError } from '../src/runtimes/local/index.js';
import { isProcessAlive, signalGroup } from '../src/runtimes/local/process-identity.js';
import { entryCommand } from './support/entry.js';
import { fixtureSpec, httpRequest, RuntimeHarness, waitFor } from './support/local-runtime.js';

const identity = (handle: InstanceHandle) => ({ pid: handle.pid as number, procStart: handle.procStart as number });

// A coordinator restart: runtime A starts instances and closes (or dies); runtime B adopts them.
describe('LocalRuntime: close and adopt', () => {
  let harness: RuntimeHarness;
  let coordinator: ChildProcess | undefined;

  beforeEach(async () => {
    harness = new RuntimeHarness();
    await harness.setup();
  });

  afterEach(async () => {
    if (coordinator && coordinator.exitCode === null && coordinator.signalCode === null) {
      coordinator.kill('SIGKILL');
      await once(coordinator, 'exit');
    }
    coordinator = undefined;
    await harness.cleanup();
  });

  /** Runtime A starts a healthy instance and closes, leaving the process running. */
  async function startAndClose(spec = fixtureSpec()) {
    const a = harness.create();
    const handle = await a.start(spec);
    await harness.waitForState(spec.instanceId, 'healthy');
    await a.close();
    harness.events.length = 0;
    return { spec, handle, a };
  }

  it('keeps instances running after close and lets a new runtime adopt, supervise and stop them', async () => {
    const { spec, handle, a } = await startAndClose();
    expect(isProcessAlive(identity(handle))).toBe(true);
    expect(JSON.parse((await httpRequest(handle.address, '/')).body).pid).toBe(handle.pid);
    await expect(a.start(fixtureSpec())).rejects.toBeInstanceOf(RuntimeError);
    expect(a.list()).toEqual([]);

    const b = harness.create();
    const [status] = await b.adopt([{ spec, handle }]);
    expect(status).toMatchObject({ instanceId: spec.instanceId, pid: handle.pid, address: handle.address });
    expect(['starting', 'healthy']).toContain(status!.state);
    await harness.waitForState(spec.instanceId, 'healthy');
    expect(harness.states(spec.instanceId)).toEqual(['starting', 'healthy']);

    // Adopting again changes nothing.
    expect(await b.adopt([{ spec, handle }])).toEqual([expect.objectContaining({ state: 'healthy', pid: handle.pid })]);
    expect(b.list()).toHaveLength(1);
    expect(await b.start(spec)).toMatchObject({ pid: handle.pid, address: handle.address });

    await b.stop(spec.instanceId);
    expect(isProcessAlive(identity(handle))).toBe(false);
    expect(harness.states(spec.instanceId).slice(-2)).toEqual(['stopping', 'stopped']);
    expect(await readFile(handle.logFile as string, 'utf8')).toContain('fixture: SIGTERM, draining');
  });

  it('adopts an instance whose coordinator process was SIGKILLed', async () => {
    const spec = fixtureSpec();
    const [command, args] = entryCommand('test/fixtures/local-coordinator.ts', [harness.logDir, JSON.stringify(spec)]);
    coordinator = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    coordinator.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const handle = JSON.parse(
      await waitFor('the coordinator to print the handle', () => output.includes('\n') && output.split('\n')[0]),
    ) as InstanceHandle;
    harness.track(handle.pid as number);

    coordinator.kill('SIGKILL');
    await once(coordinator, 'exit');
    // Orphaned, yet still serving.
    expect(isProcessAlive(identity(handle))).toBe(true);
    await waitFor('the orphan to serve', () =>
      httpRequest(handle.address, '/health').then(
        (r) => r.status === 200,
        () => false,
      ),
    );

    const b = harness.create();
    await b.adopt([{ spec, handle }]);
    await harness.waitForState(spec.instanceId, 'healthy');
    await b.stop(spec.instanceId);
    // Whoever reaps orphans here may leave a zombie behind for a moment: that counts as gone.
    expect(isProcessAlive(identity(handle))).toBe(false);
    expect(harness.states(spec.instanceId)).toEqual(['starting', 'healthy', 'stopping', 'stopped']);
  });

  it('notices an adopted instance crashing (it is not our child) and restarts it', async () => {
    const { spec, handle } = await startAndClose();
    const b = harness.create();
    await b.adopt([{ spec, handle }]);
    await harness.waitForState(spec.instanceId, 'healthy');

    await httpRequest(handle.address, '/crash', 'POST');
    const [exit] = await waitFor(
      'an exit event',
      () => harness.eventsOf('exit', spec.instanceId).length > 0 && harness.eventsOf('exit', spec.instanceId),
    );
    expect(exit!.exit).toMatchObject({ code: null, signal: null });
    expect(exit!.logTail).toContain('fixture: crashing on request');
    const [moved] = await waitFor(
      'a handle event',
      () => harness.eventsOf('handle', spec.instanceId).length > 0 && harness.eventsOf('handle', spec.instanceId),
    );
    expect(moved!.handle.pid).not.toBe(handle.pid);
    await harness.waitForState(spec.instanceId, 'healthy');
    expect(b.list()[0]).toMatchObject({ restarts: 1, pid: moved!.handle.pid });
  });

  it('reports a dead recorded instance and restarts it', async () => {
    const { spec, handle } = await startAndClose();
    signalGroup(handle.pgid as number, 'SIGKILL');
    await waitFor('the instance to die', () => !isProcessAlive(identity(handle)));

    const b = harness.create();
    const [status] = await b.adopt([{ spec, handle }]);
    expect(status).toMatchObject({ state: 'crashed', lastExit: { code: null, signal: null }, restarts: 0 });
    expect(status!.message).toMatch(/^was not running when the coordinator restarted; restarting in \d+ms$/);
    const [exit] = harness.eventsOf('exit', spec.instanceId);
    expect(exit!.logTail.some((line) => line.startsWith(`fixture: listening on ${handle.port}`))).toBe(true);

    const [moved] = await waitFor(
      'a handle event',
      () => harness.eventsOf('handle', spec.instanceId).length > 0 && harness.eventsOf('handle', spec.instanceId),
    );
    expect(moved!.handle).toMatchObject({ restarts: 1, logFile: handle.logFile });
    await harness.waitForState(spec.instanceId, 'healthy');
    expect(JSON.parse((await httpRequest(moved!.handle.address, '/')).body).pid).toBe(moved!.handle.pid);
  });

  it('does not mistake a recycled pid (different start time) for the instance, nor signal it', async () => {
    const { spec, handle } = await startAndClose();
    const recycled = { ...handle, procStart: (handle.procStart as number) + 1 };

    const b = harness.create();
    const [status] = await b.adopt([{ spec, handle: recycled }]);
    expect(status!.state).toBe('crashed');
    const [moved] = await waitFor(
      'a handle event',
      () => harness.eventsOf('handle', spec.instanceId).length > 0 && harness.eventsOf('handle', spec.instanceId),
    );
    // The real process still holds the old port, so the restart had to move.
    expect(moved!.handle.port).not.toBe(handle.port);
    await harness.waitForState(spec.instanceId, 'healthy');

    await b.stop(spec.instanceId);
    expect(isProcessAlive(identity(handle))).toBe(true);
    expect(isProcessAlive(identity(moved!.handle))).toBe(false);
  });

  it('stops cleanly when the adopted process died just before', async () => {
    const { spec, handle } = await startAndClose();
    const b = harness.create({ restartBackoff: { initialMs: 30_000, maxMs: 30_000 } });
    await b.adopt([{ spec, handle }]);
    signalGroup(handle.pgid as number, 'SIGKILL');
    await b.stop(spec.instanceId);
    expect(harness.states(spec.instanceId).slice(-2)).toEqual(['stopping', 'stopped']);
    expect(isProcessAlive(identity(handle))).toBe(false);
    expect(harness.eventsOf('handle', spec.instanceId)).toEqual([]);
  });

  it('rejects a handle from another runtime before adopting anything', async () => {
    const b = harness.create();
    const good = {
      spec: fixtureSpec(),
      handle: {
        runtime: 'local',
        address: '127.0.0.1:1',
        pid: 999_999,
        pgid: 999_999,
        port: 1,
        procStart: 1,
        logFile: '/tmp/x.log',
      },
    };
    const bad = { spec: fixtureSpec(), handle: { runtime: 'ssh', address: 'web1:8080' } };
    await expect(b.adopt([good, bad])).rejects.toMatchObject({
      code: 'invalid_input',
      message: `instance ${bad.spec.instanceId}: handle runtime is "ssh", not "local"`,
    });
    expect(b.list()).toEqual([]);
    expect(harness.events).toEqual([]);
  });
});
