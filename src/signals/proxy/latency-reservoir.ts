/**
 * A uniform sample of at most `capacity` latencies out of every request seen (reservoir
 * sampling, Algorithm R), each with its finish time. Restricted to a window it is still a
 * uniform sample of that window's requests, which is what the judge's rank tests need.
 */
export class LatencyReservoir {
  private readonly ats: Float64Array;
  private readonly latencies: Float64Array;
  private filled = 0;
  /** Requests offered so far. */
  private seen = 0;

  constructor(
    private readonly capacity: number,
    private readonly random: () => number,
  ) {
    this.ats = new Float64Array(capacity);
    this.latencies = new Float64Array(capacity);
  }

  /** Offer one request's latency. */
  add(at: number, latencyMs: number): void {
    this.seen++;
    let slot: number;
    if (this.filled < this.capacity) slot = this.filled++;
    else {
      slot = Math.floor(this.random() * this.seen);
      if (slot >= this.capacity) return;
    }
    this.ats[slot] = at;
    this.latencies[slot] = latencyMs;
  }

  /** Kept latencies of requests that finished in [from, to), in no particular order. */
  latenciesIn(from: number, to: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.filled; i++) {
      const at = this.ats[i]!;
      if (at >= from && at < to) out.push(this.latencies[i]!);
    }
    return out;
  }
}
