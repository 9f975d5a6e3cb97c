import type { ReleaseStats, StatusClass, TrafficSample } from '../router.js';

/** Latency histogram bounds in ms, defined once; the last bucket is +Inf (null in JSON). */
export const latencyBucketsMs: readonly number[] = [
  1,
  2,
  5,
  10,
  25,
  50,
  100,
  250,
  500,
  1000,
  2500,
  5000,
  10000,
  Infinity,
];

/** Status classes in the order the counters are kept. */
export const statusClasses: readonly StatusClass[] = ['1xx', '2xx', '3xx', '4xx', '5xx', 'proxyError'];

/** Recent raw samples kept per release for the canary judge. */
export const samplesPerRelease = 4096;

export type { TrafficSample };

/** Where a release set counts its finished requests: a ReleaseRecorder, or a worker's batch to its parent. */
export interface RequestRecorder {
  record(status: number, latencyMs: number, proxyError: boolean, at: number): void;
}

/** Gives each (environment, service, release) its recorder; route tables resolve them once at compile time. */
export interface RecorderSource {
  recorder(environment: string, service: string, release: string): RequestRecorder;
}

/** Counter shared by the releases of one service so samples have one order per service. */
export interface SampleSequence {
  last: number;
}

/**
 * Cumulative counters, a latency histogram and a ring of recent samples for one
 * (environment, service, release). Typed arrays keep recording allocation-free.
 */
export class ReleaseRecorder implements RequestRecorder {
  private readonly requests = new Float64Array(statusClasses.length);
  private readonly buckets = new Float64Array(latencyBucketsMs.length);
  private sumMs = 0;
  private count = 0;
  private readonly seqs = new Float64Array(samplesPerRelease);
  private readonly ats = new Float64Array(samplesPerRelease);
  private readonly latencies = new Float64Array(samplesPerRelease);
  private readonly statuses = new Uint16Array(samplesPerRelease);
  private readonly proxyErrors = new Uint8Array(samplesPerRelease);
  private written = 0;

  constructor(
    readonly release: string,
    private readonly sequence: SampleSequence,
  ) {}

  /** Count one finished request. */
  record(status: number, latencyMs: number, proxyError: boolean, at: number): void {
    const cls = proxyError ? 5 : status >= 100 && status < 600 ? ((status / 100) | 0) - 1 : 4;
    this.requests[cls]!++;
    let b = 0;
    while (latencyMs > latencyBucketsMs[b]!) b++;
    this.buckets[b]!++;
    this.sumMs += latencyMs;
    this.count++;
    const slot = this.written++ % samplesPerRelease;
    this.seqs[slot] = ++this.sequence.last;
    this.ats[slot] = at;
    this.latencies[slot] = latencyMs;
    this.statuses[slot] = status;
    this.proxyErrors[slot] = proxyError ? 1 : 0;
  }

  /** Cumulative figures (ReleaseStats). */
  snapshot(): ReleaseStats {
    const requests = {} as Record<StatusClass, number>;
    for (const [i, c] of statusClasses.entries()) requests[c] = this.requests[i]!;
    return {
      requests,
      latency: {
        bucketsMs: [...latencyBucketsMs],
        counts: Array.from(this.buckets),
        sumMs: this.sumMs,
        count: this.count,
      },
    };
  }

  /** Append the kept samples with seq > after to `out` (unsorted across releases). */
  samplesAfter(after: number, out: TrafficSample[]): void {
    const kept = Math.min(this.written, samplesPerRelease);
    for (let i = this.written - kept; i < this.written; i++) {
      const slot = i % samplesPerRelease;
      const seq = this.seqs[slot]!;
      if (seq <= after) continue;
      out.push({
        seq,
        release: this.release,
        at: this.ats[slot]!,
        status: this.statuses[slot]!,
        latencyMs: this.latencies[slot]!,
        proxyError: this.proxyErrors[slot] === 1,
      });
    }
  }
}
