/**
 * The times at which deliveries this worker put back (retries) fall due, so it sleeps until the earliest of them
 * instead of polling the outbox every 250 ms to find out: an idle coordinator then reads the outbox only when woken
 * and on a slow safety poll. Times already past are dropped as the worker asks.
 */
export class DueTimes {
  private times: number[] = [];

  /** Remember that a delivery falls due at `at` (ms since the epoch). */
  add(at: number): void {
    this.times.push(at);
  }

  /**
   * How long (ms, ≥ 0) until the earliest remembered time, at most `cap`. Forgets the times ≤ `claimedThrough`: the
   * last claim asked for everything due by then. Not the times up to `now`: a pass takes a while, and a time that fell
   * due during it, after its claim, would be forgotten with its delivery unclaimed (it then waited for the safety
   * poll).
   */
  waitFrom(now: number, cap: number, claimedThrough = now): number {
    this.times = this.times.filter((t) => t > claimedThrough);
    let wait = cap;
    for (const t of this.times) wait = Math.min(wait, Math.max(0, t - now));
    return wait;
  }
}
