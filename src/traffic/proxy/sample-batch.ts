import type { RecorderSource, RequestRecorder } from './release-stats.js';
import { type FromWorker, sampleFields } from './worker-protocol.js';

/** Records per batch before it is sent without waiting for the timer. */
const batchRecords = 2048;
/** How often a worker sends what it recorded: the judge reads once a second, admin reads flush first. */
export const batchIntervalMs = 50;

/**
 * A worker's recorders: finished requests are packed into a typed array (no allocation per
 * request) and sent to the parent, which owns the counters, histograms and sample rings, so the
 * figures survive a worker's death and are summed over every worker. A worker killed loses at most
 * its last `batchIntervalMs` of samples.
 */
export class SampleBatcher implements RecorderSource {
  private readonly rids = new Map<string, BatchRecorder>();
  private readonly data = new Float64Array(batchRecords * sampleFields);
  private length = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly send: (message: FromWorker) => void) {
    this.timer = setInterval(() => this.flush(), batchIntervalMs);
    this.timer.unref();
  }

  /** The recorder of one release; the parent learns its id before any sample that uses it. */
  recorder(environment: string, service: string, release: string): RequestRecorder {
    const key = `${environment}\u0000${service}\u0000${release}`;
    let rec = this.rids.get(key);
    if (rec === undefined) {
      rec = new BatchRecorder(this, this.rids.size + 1);
      this.rids.set(key, rec);
      this.send({ t: 'recorder', rid: rec.rid, environment, service, release });
    }
    return rec;
  }

  /** Append one finished request. */
  push(rid: number, status: number, latencyMs: number, proxyError: boolean, at: number): void {
    const i = this.length * sampleFields;
    const d = this.data;
    d[i] = rid;
    d[i + 1] = status;
    d[i + 2] = latencyMs;
    d[i + 3] = proxyError ? 1 : 0;
    d[i + 4] = at;
    d[i + 5] = at;
    if (++this.length === batchRecords) this.flush();
  }

  /** Send what is pending (before answering a report, so reads see every finished request). */
  flush(): void {
    if (this.length === 0) return;
    // A copy of the used part: serializing a view would send its whole buffer.
    const data = this.data.slice(0, this.length * sampleFields);
    this.length = 0;
    this.send({ t: 'samples', data });
  }

  stop(): void {
    clearInterval(this.timer);
    this.flush();
  }
}

class BatchRecorder implements RequestRecorder {
  constructor(
    private readonly batcher: SampleBatcher,
    readonly rid: number,
  ) {}

  record(status: number, latencyMs: number, proxyError: boolean, at: number): void {
    this.batcher.push(this.rid, status, latencyMs, proxyError, at);
  }
}

/** Batches received and not yet counted, with the recorder ids of the worker that sent each. */
export interface PendingBatch {
  data: Float64Array;
  byRid: ReadonlyMap<number, RequestRecorder>;
}

/**
 * Count pending batches of every worker in finish order, so sample sequence numbers follow the order requests
 * finished in whichever worker served them (called after every worker flushed, before a read). A worker's batches
 * arrive in the order it finished its requests, by a monotonic clock, so the rows are one sorted run per worker:
 * merged here, without a sort or an object per row (which, at 100,000 rows per ingest, were most of the parent's
 * CPU under load). Rows finished at the same instant keep the order of their batches' arrival, as a stable sort would.
 */
export function ingestSamples(batches: readonly PendingBatch[]): void {
  // One run per worker (its recorder map), in the order its batches arrived.
  const runs: PendingBatch[][] = [];
  const runOf = new Map<ReadonlyMap<number, RequestRecorder>, PendingBatch[]>();
  for (const batch of batches) {
    let run = runOf.get(batch.byRid);
    if (run === undefined) {
      run = [];
      runOf.set(batch.byRid, run);
      runs.push(run);
    }
    run.push(batch);
  }
  const order = new Map<PendingBatch, number>(batches.map((b, i) => [b, i]));
  // Per run: its current batch, that batch's place in arrival order, and the offset of its next row.
  const current = new Int32Array(runs.length);
  const arrival = runs.map((run) => order.get(run[0]!)!);
  const offset = new Int32Array(runs.length);
  for (;;) {
    let best = -1;
    let bestAt = 0;
    for (let r = 0; r < runs.length; r++) {
      const run = runs[r]!;
      let batch = run[current[r]!];
      while (batch !== undefined && offset[r]! + sampleFields > batch.data.length) {
        current[r] = current[r]! + 1;
        batch = run[current[r]!];
        offset[r] = 0;
        if (batch !== undefined) arrival[r] = order.get(batch)!;
      }
      if (batch === undefined) continue;
      const finished = batch.data[offset[r]! + 5]!;
      if (best < 0 || finished < bestAt || (finished === bestAt && arrival[r]! < arrival[best]!)) {
        best = r;
        bestAt = finished;
      }
    }
    if (best < 0) return;
    const batch = runs[best]![current[best]!]!;
    const i = offset[best]!;
    offset[best] = i + sampleFields;
    const d = batch.data;
    batch.byRid.get(d[i]!)?.record(d[i + 1]!, d[i + 2]!, d[i + 3] === 1, d[i + 4]!);
  }
}
