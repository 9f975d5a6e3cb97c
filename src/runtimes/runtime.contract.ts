import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSlipwayError, type SlipwayError } from '../shared/errors.js';
import type { InstanceHandle, InstanceSpec, InstanceState, InstanceStatus, Runtime, RuntimeEvent } from './runtime.js';

/**
 * The contract every Runtime keeps (runtime.ts), as one suite that each implementation runs:
 * the local runtime, the fake the engine tests use, and later SSH hosts or Kubernetes. A subject
 * says how to make its instances behave; the suite only talks to the Runtime interface.
 */

/** How an instance the suite starts behaves; the subject turns each into a spec its runtime runs. */
export type InstanceKind =
  | 'healthy' // listens and passes its health checks
  | 'unhealthy' // listens, fails its health checks
  | 'booting' // never listens
  | 'unstartable' // cannot be spawned (its command does not exist)
  | 'stubborn'; // healthy, but ignores the polite stop signal

/** What the outside world does to a running instance. */
export type InstanceFault =
  | 'fail-health'
  | 'pass-health'
  | 'crash' // the process exits unexpectedly
  | 'crash-for-good'; // the process exits, and its restart cannot be spawned (e.g. its directory is gone)

/** One runtime under test, with the means to act on its instances the way the world would. */
export interface RuntimeSubject {
  runtime: Runtime;
  /** A spec (fresh instanceId) whose instance behaves as `kind`. */
  spec(kind: InstanceKind, options?: { drainTimeoutMs?: number }): InstanceSpec;
  cause(instance: { instanceId: string; address: string }, fault: InstanceFault): Promise<void>;
  /** Make the instance print `line` on its output. */
  print(instance: { instanceId: string; address: string }, line: string): Promise<void>;
  /** Is the process behind this handle running (seen from outside the runtime)? */
  alive(handle: InstanceHandle): boolean;
  /** Kill the process behind the runtime's back, and wait until it is gone. */
  kill(handle: InstanceHandle): Promise<void>;
  /** A new runtime on the same machine: what a restarted coordinator builds. */
  reopen(): Runtime;
  /** Stop everything the test left running and remove what it wrote. */
  dispose(): Promise<void>;
}

export interface RuntimeContractOptions {
  /** How long to watch for something that must not happen (a restart after stop, a verdict). */
  quietMs: number;
  /** Upper bound for things that must happen (default 20 s: the machine may be loaded). */
  timeoutMs?: number;
}

/**
 * Run the Runtime contract against one implementation.
 * Example: describeRuntimeContract('local', () => localSubject(), { quietMs: 800 })
 */
export function describeRuntimeContract(
  name: string,
  makeSubject: () => Promise<RuntimeSubject>,
  options: RuntimeContractOptions,
): void {
  const timeoutMs = options.timeoutMs ?? 20_000;
  describe(`Runtime contract: ${name}`, () => {
    let s: RuntimeSubject;
    let seen: Seen;
    let runtime: Runtime;
    beforeEach(async () => {
      s = await makeSubject();
      seen = new Seen(timeoutMs);
      runtime = s.runtime;
      seen.watch(runtime);
    });
    afterEach(() => s?.dispose());

    /** Start an instance of `kind` and wait until it is healthy (or the given state). */
    async function running(kind: InstanceKind = 'healthy', state: InstanceState = 'healthy', drainTimeoutMs?: number) {
      const spec = s.spec(kind, { drainTimeoutMs });
      const handle = await runtime.start(spec);
      await seen.state(spec.instanceId, state);
      return { spec, handle, instance: { instanceId: spec.instanceId, address: handle.address } };
    }
    const quiet = () => new Promise((r) => setTimeout(r, options.quietMs));

    it('start resolves once spawned with a handle of its own name; the instance goes starting → healthy', async () => {
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
      const spec = s.spec('healthy');
      const [a, b] = await Promise.all([runtime.start(spec), runtime.start(spec)]);
      expect(b).toEqual(a);
      await seen.state(spec.instanceId, 'healthy');
      expect(await runtime.start(spec)).toEqual(a);
      expect(runtime.list().filter((x) => x.instanceId === spec.instanceId)).toHaveLength(1);
      expect(seen.states(spec.instanceId)).toEqual(['starting', 'healthy']);
    });

    it('start does not wait for health: failing checks make it unhealthy, with why, not restarted', async () => {
      const { spec } = await running('unhealthy', 'unhealthy');
      expect(statusOf(runtime, spec.instanceId)).toMatchObject({ state: 'unhealthy', restarts: 0 });
      expect(statusOf(runtime, spec.instanceId)?.message).toBeTruthy();
      expect(seen.states(spec.instanceId)).not.toContain('healthy');
      expect(seen.of('exit', spec.instanceId)).toEqual([]);
    });

    it('an instance that never listens stays starting, not unhealthy', async () => {
      const spec = s.spec('booting');
      await runtime.start(spec);
      await quiet();
      expect(statusOf(runtime, spec.instanceId)?.state).toBe('starting');
      expect(seen.states(spec.instanceId)).toEqual(['starting']);
    });

    it('start of an instance that cannot be spawned rejects with code failed, and lists it failed', async () => {
      const spec = s.spec('unstartable');
      const error = await rejection(runtime.start(spec));
      expect(isSlipwayError(error), String(error)).toBe(true);
      expect(error).toMatchObject({ code: 'failed', message: expect.stringContaining(spec.command) });
      expect(statusOf(runtime, spec.instanceId)).toMatchObject({ state: 'failed', message: expect.any(String) });
      expect(seen.states(spec.instanceId).at(-1)).toBe('failed');
    });

    it('health failures are states, not exceptions: unhealthy, then healthy again, same process', async () => {
      const { spec, handle, instance } = await running();
      await s.cause(instance, 'fail-health');
      await seen.state(spec.instanceId, 'unhealthy');
      expect(statusOf(runtime, spec.instanceId)?.message).toBeTruthy();
      await s.cause(instance, 'pass-health');
      await seen.state(spec.instanceId, 'healthy');
      expect(seen.states(spec.instanceId)).toEqual(['starting', 'healthy', 'unhealthy', 'healthy']);
      expect(seen.of('exit', spec.instanceId)).toEqual([]);
      expect(seen.of('handle', spec.instanceId)).toEqual([]);
      expect(statusOf(runtime, spec.instanceId)).toMatchObject({ restarts: 0, address: handle.address });
      expect(s.alive(handle)).toBe(true);
    });

    it('a crash is an exit event with the log tail, then a restart with a new handle that gets healthy', async () => {
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
      const { spec, handle } = await running();
      await Promise.all([runtime.stop(spec.instanceId), runtime.stop(spec.instanceId)]);
      await runtime.stop(spec.instanceId);
      await runtime.stop('ins_never_started');
      expect(seen.states(spec.instanceId).filter((x) => x === 'stopped')).toHaveLength(1);
      expect(s.alive(handle)).toBe(false);
    });

    it('stop gives an instance that ignores the polite signal its drain timeout, then forces it', async () => {
      const drainTimeoutMs = 300;
      const { spec, handle } = await running('stubborn', 'healthy', drainTimeoutMs);
      const started = Date.now();
      await runtime.stop(spec.instanceId);
      expect(Date.now() - started).toBeGreaterThanOrEqual(drainTimeoutMs * 0.9);
      expect(s.alive(handle)).toBe(false);
      expect(seen.states(spec.instanceId).at(-1)).toBe('stopped');
    });

    it('a stop during a start waits for it: nothing is left running', async () => {
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

    it('list never blocks: an array of every supervised instance with its current state and address', async () => {
      const a = await running('healthy');
      const b = await running('unhealthy', 'unhealthy');
      const listed = runtime.list();
      expect(Array.isArray(listed)).toBe(true);
      expect(listed.map((x) => [x.instanceId, x.state, x.address]).sort()).toEqual(
        [
          [a.spec.instanceId, 'healthy', a.handle.address],
          [b.spec.instanceId, 'unhealthy', b.handle.address],
        ].sort(),
      );
    });

    it('events reach every listener in order; unsubscribe stops them; a throwing listener harms none', async () => {
      const got: RuntimeEvent[] = [];
      const dropped: RuntimeEvent[] = [];
      runtime.subscribe(() => {
        throw new Error('a listener bug');
      });
      runtime.subscribe((e) => got.push(e));
      const unsubscribe = runtime.subscribe((e) => dropped.push(e));
      unsubscribe();
      const { spec } = await running();
      expect(got.flatMap((e) => (e.type === 'state' ? [e.status.state] : []))).toEqual(['starting', 'healthy']);
      expect(dropped).toEqual([]);
      expect(seen.states(spec.instanceId)).toEqual(['starting', 'healthy']);
    });

    it('logs: the tail, the last N lines, follow until aborted, and still after the instance stopped', async () => {
      const { spec, instance } = await running();
      await s.print(instance, 'contract line one');
      await s.print(instance, 'contract line two');
      const all = await collect(runtime.logs(spec.instanceId, { tail: 1000 }));
      expect(all.slice(-2)).toEqual(['contract line one', 'contract line two']);
      expect(await collect(runtime.logs(spec.instanceId, { tail: 1 }))).toEqual(['contract line two']);

      const controller = new AbortController();
      const followed: string[] = [];
      const following = (async () => {
        for await (const line of runtime.logs(spec.instanceId, { tail: 1, follow: true, signal: controller.signal })) {
          followed.push(line);
          if (line === 'contract line three') controller.abort();
        }
      })();
      await seen.until('the followed tail', () => followed.length > 0);
      await s.print(instance, 'contract line three');
      await following;
      expect(followed).toEqual(['contract line two', 'contract line three']);

      await runtime.stop(spec.instanceId);
      expect(await collect(runtime.logs(spec.instanceId, { tail: 1000 }))).toContain('contract line one');
    });

    it('logs of an instance it never saw fail with not_found', async () => {
      const error = await rejection(collect(() => runtime.logs('ins_never_seen')));
      expect(isSlipwayError(error) && error.code, String(error)).toBe('not_found');
    });

    it('close leaves instances running; a new runtime adopts (idempotently), supervises and stops them', async () => {
      const a = await running();
      const b = await running();
      await runtime.close();
      await runtime.close();
      expect(s.alive(a.handle) && s.alive(b.handle)).toBe(true);
      expect(((await rejection(runtime.start(s.spec('healthy')))) as SlipwayError).code).toBe('unavailable');

      const next = s.reopen();
      seen.watch(next);
      const records = [a, b].map(({ spec, handle }) => ({ spec, handle }));
      const statuses = await next.adopt(records);
      expect(statuses.map((x) => [x.instanceId, x.address])).toEqual([
        [a.spec.instanceId, a.handle.address],
        [b.spec.instanceId, b.handle.address],
      ]);
      await seen.state(a.spec.instanceId, 'healthy');
      await seen.state(b.spec.instanceId, 'healthy');
      expect((await next.adopt(records)).map((x) => x.state)).toEqual(['healthy', 'healthy']);
      expect(next.list()).toHaveLength(2);
      expect(await next.start(a.spec)).toMatchObject({ address: a.handle.address });
      expect(await collect(next.logs(a.spec.instanceId))).not.toEqual([]);

      await next.stop(a.spec.instanceId);
      await next.stop(b.spec.instanceId);
      expect(s.alive(a.handle) || s.alive(b.handle)).toBe(false);
      expect(next.list()).toEqual([]);
    });

    it('adopt reports an instance that died meanwhile (exit event) and restarts it', async () => {
      const { spec, handle } = await running();
      await runtime.close();
      await s.kill(handle);
      const next = s.reopen();
      seen.watch(next);
      const from = seen.events.length;
      const [status] = await next.adopt([{ spec, handle }]);
      expect(status?.state).toBe('crashed');
      expect(seen.kinds(spec.instanceId, from).slice(0, 2)).toEqual(['exit', 'state:crashed']);
      await seen.until('a new handle', () => seen.of('handle', spec.instanceId).length > 0);
      await seen.state(spec.instanceId, 'healthy');
      const [moved] = seen.of('handle', spec.instanceId);
      expect(s.alive(moved!.handle)).toBe(true);
      expect(statusOf(next, spec.instanceId)?.restarts).toBe(1);
    });

    it('adopt checks every record first: a handle of another runtime adopts nothing', async () => {
      const { spec, handle } = await running();
      await runtime.close();
      const next = s.reopen();
      const other = { spec: s.spec('healthy'), handle: { ...handle, runtime: `not-${runtime.name}` } };
      const error = await rejection(next.adopt([{ spec, handle }, other]));
      expect(isSlipwayError(error) && error.code, String(error)).toBe('invalid_input');
      expect(next.list()).toEqual([]);
    });
  });
}

/** Events seen from every runtime of a test, with waits on them. */
class Seen {
  readonly events: RuntimeEvent[] = [];
  constructor(private readonly timeoutMs: number) {}

  watch(runtime: Runtime): void {
    runtime.subscribe((e) => this.events.push(e));
  }

  statuses(id: string): InstanceStatus[] {
    return this.events.flatMap((e) => (e.type === 'state' && e.status.instanceId === id ? [e.status] : []));
  }

  states(id: string): InstanceState[] {
    return this.statuses(id).map((x) => x.state);
  }

  /** `exit`, `handle`, `state:<state>` for one instance, from event index `from`. */
  kinds(id: string, from = 0): string[] {
    return this.events
      .slice(from)
      .filter((e) => (e.type === 'state' ? e.status.instanceId : e.instanceId) === id)
      .map((e) => (e.type === 'state' ? `state:${e.status.state}` : e.type));
  }

  of<T extends RuntimeEvent['type']>(type: T, id: string): Extract<RuntimeEvent, { type: T }>[] {
    return this.events.filter(
      (e): e is Extract<RuntimeEvent, { type: T }> =>
        e.type === type && (e.type === 'state' ? e.status.instanceId : e.instanceId) === id,
    );
  }

  state(id: string, state: InstanceState): Promise<void> {
    return this.until(`${id} to be ${state}`, () => this.states(id).at(-1) === state);
  }

  async until(what: string, probe: () => boolean): Promise<void> {
    const deadline = Date.now() + this.timeoutMs;
    while (!probe()) {
      if (Date.now() > deadline)
        throw new Error(`timed out after ${this.timeoutMs}ms waiting for ${what} (events: ${this.summary()})`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private summary(): string {
    return this.events
      .map((e) => (e.type === 'state' ? `${e.status.instanceId}:${e.status.state}` : `${e.instanceId}:${e.type}`))
      .join(' ');
  }
}

function statusOf(runtime: Runtime, id: string): InstanceStatus | undefined {
  return runtime.list().find((x) => x.instanceId === id);
}

/** Whether `expected` appears in `actual` in order (other items may sit between). */
function subsequence(actual: string[], expected: string[]): boolean {
  let i = 0;
  for (const item of actual) if (item === expected[i]) i++;
  return i === expected.length;
}

/** The rejection of a promise; fails the test when it resolves. */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

/** Every line of a log read; a runtime may throw when asked or when iterated, both count. */
async function collect(logs: AsyncIterable<string> | (() => AsyncIterable<string>)): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of typeof logs === 'function' ? logs() : logs) lines.push(line);
  return lines;
}
