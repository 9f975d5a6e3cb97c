import { expect, it } from 'vitest';
import type { RuntimeCaseContext } from './runtime.contract.js';

/** The Runtime contract, part three: what a running instance uses. */
export function usageCases(ctx: RuntimeCaseContext): void {
  it('usage reports CPU time and resident memory of a running instance, read now', async () => {
    const { runtime, running } = ctx.now();
    const { spec } = await running('healthy');
    const before = Date.now();
    const usage = await runtime.usage(spec.instanceId);
    expect(usage).toBeDefined();
    expect(usage!.rssBytes).toBeGreaterThan(1024 * 1024); // any real process holds more than a MiB
    expect(usage!.cpuSeconds).toBeGreaterThanOrEqual(0);
    expect(usage!.at).toBeGreaterThanOrEqual(before - 1000);
    const later = await runtime.usage(spec.instanceId);
    expect(later!.cpuSeconds).toBeGreaterThanOrEqual(usage!.cpuSeconds); // CPU time never goes back
  });

  it('usage is undefined for an unknown, a stopped and a failed instance, and never rejects', async () => {
    const { s, runtime, running } = ctx.now();
    expect(await runtime.usage('never-started')).toBeUndefined();
    const { spec } = await running('healthy');
    await runtime.stop(spec.instanceId);
    expect(await runtime.usage(spec.instanceId)).toBeUndefined();
    const broken = s.spec('unstartable');
    await runtime.start(broken).catch(() => undefined);
    expect(await runtime.usage(broken.instanceId)).toBeUndefined();
  });
}
