/**
 * PGlite has no autovacuum. Every delivery in the outbox is written three times (dispatched, claimed, ended), and
 * the two dead versions stayed: 41,000 deliveries took 89 MB (2.2 KB each) against 42 MB (1.0 KB) with a VACUUM
 * after every 5,000 (`npm run bench:notify-store -- --json --deliveries 40000 --vacuum-every 0 | 5000`, which reports
 * both; the store's CPU per delivery was no higher with it: 0.39 against 0.46 ms). So the delivery worker vacuums
 * the outbox itself after every `every` ended attempts, once it holds nothing (a burst is over), in the store's
 * background lane, which gives way to a deployment's statements as any batch does. One VACUUM took 20 ms of CPU on
 * average, 40 at most, at that pace (the visibility map lets it skip the pages it already cleaned). On PostgreSQL
 * autovacuum does this, and nothing runs here.
 */
import type { Logger } from '../shared/logging.js';
import { messageOf } from '../shared/errors.js';
import type { Db } from '../store/db.js';
import { scrub } from './scrub.js';

/** Ended attempts between two vacuums of the outbox. */
export const vacuumEveryEnds = 5000;

export class OutboxVacuum {
  private ends = 0;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly every = vacuumEveryEnds,
  ) {}

  /** `n` attempts ended and were recorded (each left a dead version of its delivery behind). */
  ended(n: number): void {
    this.ends += n;
  }

  /**
   * Vacuum the outbox if enough attempts ended since the last time; call it when the worker holds nothing. Returns
   * whether it did. A failure is logged and tried again after as many ends more: it never stops a delivery. The
   * worker's loop awaits it between passes, so two never run at once.
   */
  async whenIdle(): Promise<boolean> {
    if (this.db.driver !== 'pglite' || this.ends < this.every) return false;
    const ends = this.ends;
    this.ends = 0;
    const started = performance.now();
    try {
      await this.db.query('vacuum notify_deliveries');
      this.logger.debug({ ends, ms: Math.round(performance.now() - started) }, 'vacuumed the notification outbox');
      return true;
    } catch (e) {
      this.logger.warn({ err: scrub(messageOf(e), []) }, 'could not vacuum the notification outbox');
      return false;
    }
  }
}
