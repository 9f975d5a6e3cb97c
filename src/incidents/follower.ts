import { messageOf } from '../shared/errors.js';
import type { Logger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import { getEventCursor, setEventCursor } from '../store/repos/event-cursors.js';
import {
  type EventPosition,
  type EventRecord,
  listFinishedEvents,
  newestEventPosition,
} from '../store/repos/events.js';
import { IncidentOpener } from './opener.js';

const cursorName = 'incidents';

export interface FollowerOptions {
  /** Between passes when nothing wakes the follower (default 500 ms; 5 s with `subscribe`, a safety poll). */
  pollMs?: number;
  /**
   * Events as this process hands them over (EventLog.subscribe: those it records, and those it reads from the store
   * while anyone listens): each wakes a pass, so an idle follower does not read the store twice a second.
   */
  subscribe?(listener: (e: EventRecord) => void): () => void;
  /** The least time between two passes started by wake-ups (default 500 ms, the old poll): a burst costs no more. */
  wakeGapMs?: number;
}

/** After this many failed attempts an event is skipped (logged), so one bad event cannot stop the follower. */
const maxAttempts = 5;
/** Events read per read. */
const batch = 500;
/** How long a pass waits for events held back by a transaction still running (see pass). */
const heldBackWaitMs = 2000;

/**
 * Opens incidents from what the engine and the alerts record: it follows the events table with a
 * durable cursor, so a restart resumes where it stopped, and each event opens at most one incident
 * (the incident keeps its source event's id, unique in the store). The cursor passes only transactions that
 * have all ended (listFinishedEvents), so an event whose lower id commits after a higher one is still read.
 */
export class IncidentFollower {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private unsubscribe?: () => void;
  /** A wake-up came during a pass (whose read may have missed its event), or is waiting for `wakeGapMs`. */
  private again = false;
  private waking?: NodeJS.Timeout;
  private lastPassAt = 0;
  private closed = false;
  private readonly failures = new Map<number, number>();
  private readonly opener: IncidentOpener;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly options: FollowerOptions = {},
  ) {
    this.opener = new IncidentOpener(db, logger);
  }

  /** Start following. A first start ever begins at the newest event: past failures open no incidents. */
  async start(): Promise<void> {
    const { rows } = await this.db.query<{ n: number }>(
      'select count(*)::int as n from event_cursors where name = $1',
      [cursorName],
    );
    if (rows[0]!.n === 0) await setEventCursor(this.db, cursorName, await newestEventPosition(this.db));
    this.unsubscribe = this.options.subscribe?.(() => this.wake());
    this.timer = setInterval(() => void this.poll(), this.options.pollMs ?? (this.unsubscribe ? 5000 : 500));
    this.timer.unref();
  }

  /** Handle every event after the cursor now (one pass at a time). */
  poll(): Promise<void> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
      if (this.again) this.wake();
    });
    return this.running;
  }

  /** A pass soon: at once, or `wakeGapMs` after the last one began; one more after a pass already running. */
  wake(): void {
    if (this.closed) return;
    this.again = true;
    if (this.running || this.waking) return;
    const rest = this.lastPassAt + (this.options.wakeGapMs ?? 500) - Date.now();
    this.waking = setTimeout(
      () => {
        this.waking = undefined;
        this.again = false;
        void this.poll();
      },
      Math.max(0, rest),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    clearTimeout(this.waking);
    await this.running?.catch(() => undefined);
  }

  private async pass(): Promise<void> {
    this.lastPassAt = Date.now();
    const deadline = Date.now() + heldBackWaitMs;
    try {
      for (;;) {
        if (this.closed) return;
        const cursor = await getEventCursor(this.db, cursorName);
        const { events, readTo, heldBack } = await listFinishedEvents(this.db, { after: cursor, limit: batch });
        let next: EventPosition = cursor;
        let all = true;
        for (const e of events) {
          if (this.closed) return;
          if (!(await this.handleOnce(e))) {
            all = false; // retried on the next pass
            break;
          }
          next = e.position;
        }
        if (all) next = readTo;
        if (next !== cursor) await setEventCursor(this.db, cursorName, next);
        if (!all) return;
        if (events.length === batch) continue;
        // Events committed behind a transaction still running are read once it ends: wait a little for them
        // rather than a whole poll (an alert's incident opens sooner); a long transaction is left to the next poll.
        if (!heldBack || Date.now() > deadline) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    } catch (e) {
      if (!this.closed) this.logger.error({ err: messageOf(e) }, 'incident follower pass failed; retrying');
    }
  }

  /** Handle one event; false when it failed and should be tried again (up to maxAttempts, then skipped). */
  private async handleOnce(e: EventRecord): Promise<boolean> {
    try {
      await this.handle(e);
      this.failures.delete(e.id);
      return true;
    } catch (err) {
      const attempts = (this.failures.get(e.id) ?? 0) + 1;
      this.failures.set(e.id, attempts);
      if (attempts < maxAttempts) {
        this.logger.warn({ event: e.id, kind: e.kind, attempts, err: messageOf(err) }, 'incident follower: retrying');
        return false;
      }
      this.failures.delete(e.id);
      this.logger.error({ event: e.id, kind: e.kind, err: messageOf(err) }, 'incident follower: event skipped');
      return true;
    }
  }

  /** Idempotent: reading an event twice opens nothing twice and links nothing twice. */
  handle(e: EventRecord): Promise<void> {
    return this.opener.handle(e);
  }
}
