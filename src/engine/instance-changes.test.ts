import { describe, expect, it } from 'vitest';
import { systemClock } from '../shared/clock.js';
import { InstanceChanges } from './instance-changes.js';

const elapsed = async (work: Promise<unknown>) => {
  const t = performance.now();
  await work;
  return performance.now() - t;
};

describe('InstanceChanges', () => {
  it('a change of the release wakes its wait at once; other releases’ changes do not', async () => {
    const changes = new InstanceChanges();
    const wait = changes.wait('rel_a', changes.mark(), 5_000, systemClock);
    setTimeout(() => changes.changed('rel_b'), 20);
    setTimeout(() => changes.changed('rel_a'), 120);
    const ms = await elapsed(wait);
    expect(ms).toBeGreaterThanOrEqual(100);
    expect(ms).toBeLessThan(2_000);
  });

  it('a change after the mark but before the wait returns at once (nothing is missed in between)', async () => {
    const changes = new InstanceChanges();
    const mark = changes.mark();
    changes.changed('rel_a');
    expect(await elapsed(changes.wait('rel_a', mark, 5_000, systemClock))).toBeLessThan(50);
    // A change before the mark does not count.
    expect(await elapsed(changes.wait('rel_a', changes.mark(), 80, systemClock))).toBeGreaterThanOrEqual(70);
  });

  it('without a change the wait ends after its time; an abort rejects with the reason', async () => {
    const changes = new InstanceChanges();
    expect(await elapsed(changes.wait('rel_a', changes.mark(), 60, systemClock))).toBeGreaterThanOrEqual(50);
    const controller = new AbortController();
    const wait = changes.wait('rel_a', changes.mark(), 5_000, systemClock, controller.signal);
    controller.abort(new Error('interrupted'));
    await expect(wait).rejects.toThrow('interrupted');
    // Nothing is left registered: a later change wakes nobody and throws nothing.
    changes.changed('rel_a');
  });
});
