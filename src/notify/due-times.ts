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

  /** How long (ms, ≥ 0) until the earliest remembered time after `now`, at most `cap`; forgets the times ≤ `now`. */
  waitFrom(now: number, cap: number): number {
    this.times = this.times.filter((t) => t > now);
    let wait = cap;
    for (const t of this.times) wait = Math.min(wait, t - now);
    return wait;
  }
}
