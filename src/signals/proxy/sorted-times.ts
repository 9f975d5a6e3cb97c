/**
 * Times (ms) kept in ascending order in a growable typed array, so counting the ones in a
 * window is two binary searches. 8 bytes a time; past `capacity` the oldest are forgotten.
 */
export class SortedTimes {
  private times: Float64Array;
  private length = 0;
  /** Times dropped to stay within capacity. */
  forgotten = 0;

  constructor(private readonly capacity: number) {
    this.times = new Float64Array(Math.min(1024, capacity));
  }

  /** Number of times kept. */
  get size(): number {
    return this.length;
  }

  /** Add one time; in order is O(1), out of order (a clock step) shifts the later ones. */
  add(at: number): void {
    if (this.length === this.capacity) this.forgetOldestHalf();
    if (this.length === this.times.length) this.grow();
    let i = this.length;
    if (i > 0 && this.times[i - 1]! > at) {
      i = this.lowerBound(at, true);
      this.times.copyWithin(i + 1, i, this.length);
    }
    this.times[i] = at;
    this.length++;
  }

  /** How many times t satisfy from <= t < to. */
  countIn(from: number, to: number): number {
    if (to <= from) return 0;
    return this.lowerBound(to, false) - this.lowerBound(from, false);
  }

  /** First index whose time is >= at (or > at when `after`). */
  private lowerBound(at: number, after: boolean): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const t = this.times[mid]!;
      if (t < at || (after && t === at)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private grow(): void {
    const next = new Float64Array(Math.min(this.capacity, this.times.length * 2));
    next.set(this.times.subarray(0, this.length));
    this.times = next;
  }

  private forgetOldestHalf(): void {
    const drop = Math.max(1, this.length >>> 1);
    this.times.copyWithin(0, drop, this.length);
    this.length -= drop;
    this.forgotten += drop;
  }
}
