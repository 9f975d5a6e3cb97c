import { describe, expect, it } from 'vitest';
import { autoWorkerCount } from './worker-count.js';

describe('workers: auto', () => {
  it('leaves a core to the instances and the coordinator, and never goes below one worker', () => {
    expect(autoWorkerCount(1)).toBe(1);
    expect(autoWorkerCount(2)).toBe(1);
    expect(autoWorkerCount(8)).toBe(7);
  });
});
