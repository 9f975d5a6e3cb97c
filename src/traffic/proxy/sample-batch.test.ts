import { describe, expect, it } from 'vitest';
import type { RequestRecorder } from './release-stats.js';
import { ingestSamples, type PendingBatch } from './sample-batch.js';
import { sampleFields } from './worker-protocol.js';

/** The order ingestSamples counted in before the merge: every row, stably sorted by finish time. */
function sortedReference(batches: readonly PendingBatch[]): void {
  const rows: { at: number; batch: PendingBatch; i: number }[] = [];
  for (const batch of batches)
    for (let i = 0; i + sampleFields <= batch.data.length; i += sampleFields)
      rows.push({ at: batch.data[i + 5]!, batch, i });
  rows.sort((a, b) => a.at - b.at);
  for (const { batch, i } of rows) {
    const d = batch.data;
    batch.byRid.get(d[i]!)?.record(d[i + 1]!, d[i + 2]!, d[i + 3] === 1, d[i + 4]!);
  }
}

describe('ingestSamples', () => {
  it('counts the rows of every worker in finish order, ties in batch arrival order, as a stable sort did', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    for (let trial = 0; trial < 50; trial++) {
      const log: number[][] = [[], []];
      const workers = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, w) => ({
        clock: 0,
        byRid: (which: number) =>
          new Map<number, RequestRecorder>([
            [1, { record: (status, latencyMs) => log[which]!.push(w, 1, status, latencyMs) }],
            [2, { record: (status, latencyMs) => log[which]!.push(w, 2, status, latencyMs) }],
          ]),
      }));
      const maps = [workers.map((w) => w.byRid(0)), workers.map((w) => w.byRid(1))];
      const batches: PendingBatch[][] = [[], []];
      for (let b = 0; b < 12; b++) {
        const w = Math.floor(random() * workers.length);
        const rows = Math.floor(random() * 5);
        const data = new Float64Array(rows * sampleFields);
        for (let r = 0; r < rows; r++) {
          // Coarse steps so that rows of different workers often finish at the same instant.
          workers[w]!.clock += Math.floor(random() * 3);
          const at = workers[w]!.clock;
          data.set([1 + Math.floor(random() * 2), 200 + b, r, 0, at, at], r * sampleFields);
        }
        batches[0]!.push({ data, byRid: maps[0]![w]! });
        batches[1]!.push({ data, byRid: maps[1]![w]! });
      }
      ingestSamples(batches[0]!);
      sortedReference(batches[1]!);
      expect(log[0]).toEqual(log[1]);
    }
  });
});
