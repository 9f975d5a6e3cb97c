import { describe, expect, it } from 'vitest';
import { DueTimes } from './due-times.js';

describe('DueTimes', () => {
  it('waits the cap when nothing is due', () => {
    expect(new DueTimes().waitFrom(1000, 2000)).toBe(2000);
  });

  it('waits until the earliest time to come, never past the cap', () => {
    const due = new DueTimes();
    due.add(1900);
    due.add(1300);
    due.add(9000);
    expect(due.waitFrom(1000, 2000)).toBe(300);
    expect(due.waitFrom(1500, 2000)).toBe(400); // 1300 is past and forgotten
    expect(due.waitFrom(2500, 2000)).toBe(2000); // only 9000 left, beyond the cap
    expect(due.waitFrom(8500, 2000)).toBe(500);
    expect(due.waitFrom(9000, 2000)).toBe(2000);
  });

  it('forgets only the times the last claim covered: one that fell due during the pass is still waited for', () => {
    const due = new DueTimes();
    due.add(1300);
    // The pass claimed at 1290 (1300 not yet due) and ended at 1310: wait at once, and keep it until a claim covers it.
    expect(due.waitFrom(1310, 2000, 1290)).toBe(0);
    expect(due.waitFrom(1312, 2000, 1290)).toBe(0);
    expect(due.waitFrom(1320, 2000, 1311)).toBe(2000);
  });
});
