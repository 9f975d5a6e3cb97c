import { expect, it } from 'vitest';
import { isSlipwayError } from '../shared/errors.js';
import type { RuntimeCaseContext } from './runtime.contract.js';
import type { InstanceHandle } from './runtime.js';
import { rejection, statusOf, subsequence } from './runtime-seen.contract.js';

/** The Runtime contract, part one: start, health, crash and restart, stop. */
export function lifecycleCases(ctx: RuntimeCaseContext): void {
  it('start resolves once spawned with a handle of its own name; the instance goes starting → healthy', async () => {
    const { s, runtime, seen } = ctx.now();
    const spec = s.spec('healthy');
    const handle = await runtime.start(spec);
    expect(handle.runtime).toBe(runtime.name);
    expect(handle.address).toMatch(/^[^\s:]+:\d+$/);
    const listed = statusOf(runtime, spec.instanceId);
    expect(['starting', 'healthy']).toContain(listed?.state);
    expect(listed?.address).toBe(handle.address);
    await seen.state(spec.instanceId, 'healthy');
    expect(seen.states(spec.instanceId)).toEqual(['starting', 'healthy']);
    expect(statusOf(runtime, spec.instanceId)).toMatchObject({ state: 'healthy', restarts: 0 });
  });

  it('start is idempotent per instance id, also when called concurrently', async () => {
    const { s, runtime, seen } = ctx.now();
    const spec = s.spec('healthy');
    const [a, b] = await Promise.all([runtime.start(spec), runtime.start(spec)]);
    expect(b).toEqual(a);
    await seen.state(spec.instanceId, 'healthy');
    expect(await runtime.start(spec)).toEqual(a);
    expect(runtime.list().filter((x) => x.instanceId === spec.instanceId)).toHaveLength(1);
    expect(seen.states(spec.instanceId)).toEqual(['starting', 'healthy']);
  });

  it('start does not wait for health: failing checks make it unhealthy, with why, not restarted', async () => {
    const { runtime, seen, running } = ctx.now();
    const { spec } = await running('unhealthy', 'unhealthy');
    expect(statusOf(runtime, spec.instanceId)).toMatchObject({ state: 'unhealthy', restarts: 0 });
    expect(statusOf(runtime, spec.instanceId)?.message).toBeTruthy();
    expect(seen.states(spec.instanceId)).not.toContain('healthy');
    expect(seen.of('exit', spec.instanceId)).toEqual([]);
  });

  it('an instance that never listens stays starting, not unhealthy', async () => {
    const { s, runtime, seen, quiet } = ctx.now();
    const spec = s.spec('booting');
    await runtime.start(spec);
    await quiet();
    expect(statusOf(runtime, spec.instanceId)?.state).toBe('starting');
    expect(seen.states(spec.instanceId)).toEqual(['starting']);
  });

  it('start of an instance that cannot be spawned rejects with code failed, and lists it failed', async () => {
    const { s, runtime, seen } = ctx.now();
    const spec = s.spec('unstartable');
    const error = await rejection(runtime.start(spec));
    expect(isSlipwayError(error), String(error)).toBe(true);
    expect(error).toMatchObject({ code: 'failed', message: expect.stringContaining(spec.command) });
    expect(statusOf(runtime, spec.instanceId)).toMatchObject({ state: 'failed', message: expect.any(String) });
    expect(seen.states(spec.instanceId).at(-1)).toBe('failed');
  });

  it('health failures are states, not exceptions: unhealthy, then healthy again, same process', async () => {
    const { s, runtime, seen, running } = ctx.now();
    const { spec, handle, instance } = await running();
    await s.cause(instance, 'fail-health');
    await seen.state(spec.instanceId, 'unhealthy');
    expect(statusOf(runtime, spec.instanceId)?.message).toBeTruthy();
    await s.cause(instance, 'pass-health');
    await seen.state(spec.instanceId, 'healthy');
    // On a loaded machine a probe can also time out on its own (one more unhealthy → healthy pair, seen in a full
    // suite at load 6): the order and the kinds of state are the contract, not their count.
    const states = seen.states(spec.instanceId);
    expect(subsequence(states, ['starting', 'healthy', 'unhealthy', 'healthy']), states.join(' → ')).toBe(true);
    expect([...new Set(states)].sort()).toEqual(['healthy', 'starting', 'unhealthy']);
    expect(states.at(-1)).toBe('healthy');
    expect(seen.of('exit', spec.instanceId)).toEqual([]);
    expect(seen.of('handle', spec.instanceId)).toEqual([]);
    expect(statusOf(runtime, spec.instanceId)).toMatchObject({ restarts: 0, address: handle.address });
    expect(s.alive(handle)).toBe(true);
  });

  it('a crash is an exit event with the log tail, then a restart with a new handle that gets healthy', async () => {
    const { s, runtime, seen, running } = ctx.now();
    const { spec, handle, instance } = await running();
    const from = seen.events.length;
    await s.cause(instance, 'crash');
    await seen.until('the restarted instance to be healthy', () => {
      const after = seen.kinds(spec.instanceId, from);
      return after.includes('handle') && after.at(-1) === 'state:healthy';
    });
    const after = seen.kinds(spec.instanceId, from);
    expect(after[0]).toBe('exit');
    expect(subsequence(after, ['exit', 'state:crashed', 'handle', 'state:starting', 'state:healthy'])).toBe(true);
    const [exit] = seen.of('exit', spec.instanceId);
    expect(Array.isArray(exit?.logTail)).toBe(true);
    expect(typeof exit?.exit.at).toBe('number');
    const crashed = seen.statuses(spec.instanceId).find((x) => x.state === 'crashed')!;
    expect(crashed.lastExit).toEqual(exit?.exit);
    expect(crashed.nextRestartAt).toBeGreaterThanOrEqual(exit!.exit.at);
    const [moved] = seen.of('handle', spec.instanceId);
    expect(moved!.handle.runtime).toBe(runtime.name);
    expect(moved!.handle).not.toEqual(handle);
    expect(statusOf(runtime, spec.instanceId)).toMatchObject({ state: 'healthy', restarts: 1 });
    expect(statusOf(runtime, spec.instanceId)?.address).toBe(moved!.handle.address);
    expect(s.alive(moved!.handle)).toBe(true);
  });

  it('a crashed instance whose restart cannot be spawned ends failed and is not restarted again', async () => {
    const { s, runtime, seen, running, quiet } = ctx.now();
    const { spec, instance } = await running();
    await s.cause(instance, 'crash-for-good');
    await seen.state(spec.instanceId, 'failed');
    expect(seen.states(spec.instanceId).slice(-2)).toEqual(['crashed', 'failed']);
    expect(statusOf(runtime, spec.instanceId)).toMatchObject({ state: 'failed', restarts: 0 });
    expect(statusOf(runtime, spec.instanceId)?.message).toBeTruthy();
    await quiet();
    expect(seen.states(spec.instanceId).at(-1)).toBe('failed');
    expect(seen.of('handle', spec.instanceId)).toEqual([]);
  });

  it('stop: stopping → stopped, the process is gone, the instance leaves list(), no restart follows', async () => {
    const { s, runtime, seen, running, quiet } = ctx.now();
    const { spec, handle } = await running();
    await runtime.stop(spec.instanceId);
    expect(seen.states(spec.instanceId).slice(-2)).toEqual(['stopping', 'stopped']);
    expect(s.alive(handle)).toBe(false);
    expect(statusOf(runtime, spec.instanceId)).toBeUndefined();
    const after = seen.events.length;
    await quiet();
    expect(seen.kinds(spec.instanceId, after)).toEqual([]);
  });

  it('stop is idempotent, also concurrently, and a no-op for unknown ids', async () => {
    const { s, runtime, seen, running } = ctx.now();
    const { spec, handle } = await running();
    await Promise.all([runtime.stop(spec.instanceId), runtime.stop(spec.instanceId)]);
    await runtime.stop(spec.instanceId);
    await runtime.stop('ins_never_started');
    expect(seen.states(spec.instanceId).filter((x) => x === 'stopped')).toHaveLength(1);
    expect(s.alive(handle)).toBe(false);
  });

  it('stop gives an instance that ignores the polite signal its drain timeout, then forces it', async () => {
    const { s, runtime, seen, running } = ctx.now();
    const drainTimeoutMs = 300;
    const { spec, handle } = await running('stubborn', 'healthy', drainTimeoutMs);
    const started = Date.now();
    await runtime.stop(spec.instanceId);
    expect(Date.now() - started).toBeGreaterThanOrEqual(drainTimeoutMs * 0.9);
    expect(s.alive(handle)).toBe(false);
    expect(seen.states(spec.instanceId).at(-1)).toBe('stopped');
  });

  it('a stop during a start waits for it: nothing is left running', async () => {
    const { s, runtime, quiet } = ctx.now();
    const spec = s.spec('healthy');
    const starting = runtime.start(spec).catch((e: unknown) => e);
    await runtime.stop(spec.instanceId);
    const handle = await starting;
    expect(statusOf(runtime, spec.instanceId)).toBeUndefined();
    if (!(handle instanceof Error)) expect(s.alive(handle as InstanceHandle)).toBe(false);
    await quiet();
    expect(runtime.list().some((x) => x.instanceId === spec.instanceId)).toBe(false);
  });

  it('stop of a crashed instance waiting for its restart: stopped, never restarted', async () => {
    const { s, runtime, seen, running, quiet } = ctx.now();
    const { spec, instance } = await running();
    await s.cause(instance, 'crash');
    await seen.until('the crash', () => seen.states(spec.instanceId).includes('crashed'));
    await runtime.stop(spec.instanceId);
    const after = seen.events.length;
    await quiet();
    expect(seen.kinds(spec.instanceId, after)).toEqual([]);
    expect(seen.states(spec.instanceId).at(-1)).toBe('stopped');
    for (const moved of seen.of('handle', spec.instanceId)) expect(s.alive(moved.handle)).toBe(false);
  });
}
