import { expect, it } from 'vitest';
import { isSlipwayError, type SlipwayError } from '../shared/errors.js';
import type { RuntimeCaseContext } from './runtime.contract.js';
import type { RuntimeEvent } from './runtime.js';
import { collect, collectLines, rejection, statusOf } from './runtime-seen.contract.js';

/** The Runtime contract, part two: list, subscribe, logs, close and adopt. */
export function supervisionCases(ctx: RuntimeCaseContext): void {
  it('list never blocks: an array of every supervised instance with its current state and address', async () => {
    const { runtime, running } = ctx.now();
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
    const { runtime, seen, running } = ctx.now();
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
    const { s, runtime, seen, running } = ctx.now();
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
        followed.push(line.text);
        if (line.text === 'contract line three') controller.abort();
      }
    })();
    await seen.until('the followed tail', () => followed.length > 0);
    await s.print(instance, 'contract line three');
    await following;
    expect(followed).toEqual(['contract line two', 'contract line three']);

    await runtime.stop(spec.instanceId);
    expect(await collect(runtime.logs(spec.instanceId, { tail: 1000 }))).toContain('contract line one');
  });

  it('log lines carry times that never go backwards, and a cursor resumes right after its line', async () => {
    const { s, runtime, running } = ctx.now();
    const { spec, instance } = await running();
    const before = Date.now();
    await s.print(instance, 'cursor line one');
    await s.print(instance, 'cursor line two');
    const lines = (await collectLines(runtime.logs(spec.instanceId, { tail: 1000 }))).filter((l) =>
      l.text.startsWith('cursor line'),
    );
    expect(lines.map((l) => l.text)).toEqual(['cursor line one', 'cursor line two']);
    expect(lines[1]!.at).toBeGreaterThanOrEqual(lines[0]!.at);
    // Within the precision a runtime promises (the local one: about a second).
    expect(lines[0]!.at).toBeGreaterThanOrEqual(before - 2000);
    const controller = new AbortController();
    const after: string[] = [];
    const following = (async () => {
      const logs = runtime.logs(spec.instanceId, { after: lines[0]!.cursor, follow: true, signal: controller.signal });
      for await (const line of logs) {
        after.push(line.text);
        if (line.text === 'cursor line three') controller.abort();
      }
    })();
    await s.print(instance, 'cursor line three');
    await following;
    expect(after).toEqual(['cursor line two', 'cursor line three']);
  });

  it('logs of an instance it never saw fail with not_found', async () => {
    const { runtime } = ctx.now();
    const error = await rejection(collect(() => runtime.logs('ins_never_seen')));
    expect(isSlipwayError(error) && error.code, String(error)).toBe('not_found');
  });

  it('close leaves instances running; a new runtime adopts (idempotently), supervises and stops them', async () => {
    const { s, runtime, seen, running } = ctx.now();
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
    const { s, runtime, seen, running } = ctx.now();
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
    const { s, runtime, running } = ctx.now();
    const { spec, handle } = await running();
    await runtime.close();
    const next = s.reopen();
    const other = { spec: s.spec('healthy'), handle: { ...handle, runtime: `not-${runtime.name}` } };
    const error = await rejection(next.adopt([{ spec, handle }, other]));
    expect(isSlipwayError(error) && error.code, String(error)).toBe('invalid_input');
    expect(next.list()).toEqual([]);
  });
}
