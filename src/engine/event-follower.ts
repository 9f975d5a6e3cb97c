import { messageOf } from '../shared/errors.js';
import type { Logger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import { getEventCursor, setEventCursor } from '../store/repos/event-cursors.js';
import {
  type EventPosition,
  type EventRecord,
  type FollowedEvent,
  listFinishedEvents,
  newestEventPosition,
} from '../store/repos/events.js';

export interface EventFollowerSettings {
  db: Db;
  logger: Logger;
  /** Names the follower in log lines, e.g. "incident follower". */
  name: string;
  /** Its row in event_cursors. */
  cursor: string;
  /** Only events of these kinds are read, and only they wake the follower (default: every event). */
  kinds?: string[];
  /** Events read per read. */
  batch: number;
  /** After this many failed attempts an event is skipped (logged), so one bad event cannot stop the follower. */
  maxAttempts: number;
  /** Between passes when nothing wakes the follower: with `subscribe`, a safety poll. */
  pollMs: number;
  /**
   * Events as this process hands them over (EventLog.subscribe: those it records, and those it reads from the store
   * while anyone listens): each wakes a pass, so an idle follower does not read the store at every poll.
   */
  subscribe?(listener: (e: EventRecord) => void): () => void;
  /** The least time between two passes started by wake-ups: a burst costs no more. */
  wakeGapMs: number;
  /** How long a pass keeps reading again for events held back by a transaction still running. */
  heldBackWaitMs: number;
  /**
   * Move the cursor past each event once handled, not once per batch: for effects outside the store, which a
   * restart must not repeat (an idempotent handler saves the writes).
   */
  saveEachEvent?: boolean;
  /** The level of the line logged when an event fails and is tried again (default warn). */
  retryLogLevel?: 'warn' | 'debug';
}

/** What a handler says of an event it did not finish because the follower is closing: the cursor stays before it. */
export const unfinished = 'unfinished';

/**
 * Follows the events table with a durable cursor (event_cursors), so a restart resumes where it stopped. The cursor
 * passes only transactions that have all ended (listFinishedEvents), so an event whose lower id commits after a
 * higher one is still read. A subclass says what it does with one event (`handle`); this class decides when to read.
 */
export abstract class EventFollower {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private unsubscribe?: () => void;
  /** A wake-up came during a pass (whose read may have missed its event), or is waiting for `wakeGapMs`. */
  private again = false;
  private waking?: NodeJS.Timeout;
  private lastPassAt = 0;
  protected closed = false;
  private readonly failures = new Map<number, number>();

  constructor(private readonly settings: EventFollowerSettings) {}

  /** Handle one event (`unfinished` when closing cut it short); may run twice for one event (failure, restart). */
  protected abstract handle(e: FollowedEvent): Promise<unknown>;

  /** Whether the poll may skip the store (wake-ups still run passes); a subclass knows when nothing is to be done. */
  protected idle(): boolean {
    return false;
  }

  /** Called at the start of every pass, before the read (a subclass's look at what it needs). */
  protected async beforePass(): Promise<void> {}

  /** Start following. A first start ever begins at the newest event: what came before is not handled. */
  async start(): Promise<void> {
    const { db, cursor, kinds, subscribe } = this.settings;
    const { rows } = await db.query<{ n: number }>('select count(*)::int as n from event_cursors where name = $1', [
      cursor,
    ]);
    if (rows[0]!.n === 0) await setEventCursor(db, cursor, await newestEventPosition(db));
    this.unsubscribe = subscribe?.((e) => {
      if (!kinds || kinds.includes(e.kind)) this.wake();
    });
    this.timer = setInterval(() => {
      if (!this.idle()) void this.poll();
    }, this.settings.pollMs);
    this.timer.unref();
  }

  /** Whether the follower is woken by the events this process hands over. */
  protected get subscribed(): boolean {
    return this.unsubscribe !== undefined;
  }

  /** Handle every event after the cursor now (one pass at a time: a call during a pass waits for it). */
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
    const rest = this.lastPassAt + this.settings.wakeGapMs - Date.now();
    this.waking = setTimeout(
      () => {
        this.waking = undefined;
        this.again = false;
        void this.poll();
      },
      Math.max(0, rest),
    );
  }

  /** Stop waking and polling; waits for a pass in progress (which stops before its next event). */
  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    clearInterval(this.timer);
    clearTimeout(this.waking);
    await this.running?.catch(() => undefined);
  }

  private async pass(): Promise<void> {
    const { db, cursor: name, kinds, batch, heldBackWaitMs, saveEachEvent } = this.settings;
    this.lastPassAt = Date.now();
    const deadline = Date.now() + heldBackWaitMs;
    try {
      if (this.closed) return;
      await this.beforePass();
      for (;;) {
        if (this.closed) return;
        const cursor = await getEventCursor(db, name);
        const { events, readTo, heldBack } = await listFinishedEvents(db, { after: cursor, kinds, limit: batch });
        let saved = cursor;
        const save = async (to: EventPosition) => {
          if (to !== saved) await setEventCursor(db, name, to);
          saved = to;
        };
        let handled = cursor;
        for (const e of events) {
          // Closing between events: those handled since the last save are read again by the next start.
          if (this.closed) return;
          if (!(await this.handleOnce(e))) {
            await save(handled); // this event is tried again on the next pass
            return;
          }
          handled = e.position;
          if (saveEachEvent) await save(handled);
        }
        await save(readTo);
        if (events.length === batch) continue;
        // Events committed behind a transaction still running are read once it ends: wait a little for them rather
        // than a whole poll (an alert's incident opens sooner); a long transaction is left to the next poll.
        if (!heldBack || Date.now() > deadline) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    } catch (e) {
      if (!this.closed)
        this.settings.logger.error({ err: messageOf(e) }, `${this.settings.name} pass failed; retrying`);
    }
  }

  /** False when the event should be tried again (failed, up to maxAttempts, then skipped; or left unfinished). */
  private async handleOnce(e: FollowedEvent): Promise<boolean> {
    const { logger, name, maxAttempts, retryLogLevel } = this.settings;
    try {
      if ((await this.handle(e)) === unfinished) return false;
      this.failures.delete(e.id);
      return true;
    } catch (err) {
      const attempts = (this.failures.get(e.id) ?? 0) + 1;
      this.failures.set(e.id, attempts);
      if (attempts < maxAttempts) {
        logger[retryLogLevel ?? 'warn'](
          { event: e.id, kind: e.kind, attempts, err: messageOf(err) },
          `${name}: retrying`,
        );
        return false;
      }
      this.failures.delete(e.id);
      logger.error({ event: e.id, kind: e.kind, err: messageOf(err) }, `${name}: event skipped`);
      return true;
    }
  }
}
