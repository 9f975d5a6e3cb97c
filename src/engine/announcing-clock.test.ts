import { describe, expect, it } from 'vitest';
import { systemClock } from '../shared/clock.js';
import type { Db } from '../store/db.js';
import { announcingClock } from './announcing-clock.js';

describe('announcingClock', () => {
  it('tells the store when each wait ends, then waits', async () => {
    const told: number[] = [];
    const clock = announcingClock(systemClock, { deploymentWriteDue: (ms: number) => told.push(ms) } as unknown as Db);
    const t = performance.now();
    await clock.sleep(20);
    expect(told).toEqual([20]);
    expect(performance.now() - t).toBeGreaterThanOrEqual(15);
    expect(Math.abs(clock.now() - Date.now())).toBeLessThan(1000);
  });

  it('announces nothing for a wait already aborted, and rejects it as the clock does', async () => {
    const told: number[] = [];
    const clock = announcingClock(systemClock, { deploymentWriteDue: (ms: number) => told.push(ms) } as unknown as Db);
    await expect(clock.sleep(20, AbortSignal.abort(new Error('stopped')))).rejects.toThrow('stopped');
    expect(told).toEqual([]);
  });

  it('is the clock itself for a store that has nothing to give way (PostgreSQL)', () => {
    expect(announcingClock(systemClock, {} as Db)).toBe(systemClock);
  });
});
