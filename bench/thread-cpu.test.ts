import { readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { threadCpu, threadCpuSince } from './thread-cpu.js';

describe.runIf(process.platform === 'linux')('thread CPU from /proc', () => {
  it('counts the CPU this thread spends, and orders threads by what they spent since a reading', () => {
    // This thread (vitest may run the file in a worker thread, not the process's main one): <pid>/task/<tid>.
    const self = Number(readlinkSync('/proc/thread-self').split('/').at(-1));
    const before = threadCpu();
    expect(before.map((t) => t.tid)).toContain(self);
    // Busy until this thread itself has spent 150 ms more (not the process: vitest's other threads spend too).
    const mineNow = () => threadCpu().find((t) => t.tid === self)?.ms ?? 0;
    const until = mineNow() + 150;
    let x = 0;
    while (mineNow() < until) for (let i = 0; i < 100_000; i++) x += Math.sqrt(x + 1);
    expect(x).toBeGreaterThan(0);
    const spent = threadCpuSince(before);
    const mine = spent.find((t) => t.tid === self);
    expect(mine?.ms).toBeGreaterThanOrEqual(150);
    expect(spent.map((t) => t.ms)).toEqual([...spent.map((t) => t.ms)].sort((a, b) => b - a));
    expect(spent.every((t) => t.ms > 0)).toBe(true);
  });

  it('leaves out threads that spent nothing between two readings', () => {
    const reading = [{ tid: 1, name: 'a', ms: 10 }];
    expect(threadCpuSince(reading, [{ tid: 1, name: 'a', ms: 10 }])).toEqual([]);
    expect(
      threadCpuSince(reading, [
        { tid: 1, name: 'a', ms: 30 },
        { tid: 2, name: 'b', ms: 40 },
      ]),
    ).toEqual([
      { tid: 2, name: 'b', ms: 40 },
      { tid: 1, name: 'a', ms: 20 },
    ]);
  });
});
