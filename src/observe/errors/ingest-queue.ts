import type { Accepted } from './accepted.js';

/**
 * Accepted envelopes waiting to be digested, bounded in bytes and envelopes: ingest answers at
 * once and never waits for the store; what does not fit is refused (the caller drops it and counts).
 */
export class IngestQueue {
  private items: Accepted[] = [];
  private bytes = 0;
  private eventCount = 0;
  constructor(
    private readonly maxBytes: number,
    private readonly maxItems: number,
  ) {}

  /** Queue it; false when the queue is full. */
  offer(a: Accepted): boolean {
    if (this.items.length >= this.maxItems || this.bytes + a.bytes > this.maxBytes) return false;
    this.items.push(a);
    this.bytes += a.bytes;
    this.eventCount += a.events.length;
    return true;
  }

  /** Take up to `maxEvents` events' worth of envelopes (at least one envelope when any is queued). */
  take(maxEvents: number): Accepted[] {
    let n = 0;
    let count = 0;
    while (count < this.items.length && (count === 0 || n + this.items[count]!.events.length <= maxEvents)) {
      n += this.items[count]!.events.length;
      count++;
    }
    const batch = this.items.splice(0, count);
    for (const a of batch) {
      this.bytes -= a.bytes;
      this.eventCount -= a.events.length;
    }
    return batch;
  }

  /** Envelopes queued. */
  get size(): number {
    return this.items.length;
  }

  /** Events queued. */
  get events(): number {
    return this.eventCount;
  }
}
