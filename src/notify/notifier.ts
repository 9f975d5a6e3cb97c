/**
 * Notifications of a coordinator: the dispatcher (events → outbox, one transaction per batch)
 * and the worker (outbox → notification services). Both run beside the engine and share nothing
 * with it but the store: a deployment never waits for a message.
 */
import type { Logger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import { type EventRecord, hasEventsAfter, type NewEvent } from '../store/repos/events.js';
import { Dispatcher } from './dispatcher.js';
import { announceFreezes } from './freeze-notice.js';
import type { NotificationSender } from './sender.js';
import type { SendThread } from './send-thread.js';
import { pollPeriod, quickPollMs } from './poll-period.js';
import { triggeringKinds } from './triggers.js';
import { DeliveryWorker } from './worker.js';

export interface NotifierOptions {
  db: Db;
  senders: Record<string, NotificationSender>;
  secretsFor(project: string, environment: string): Promise<Record<string, string>>;
  emit(event: NewEvent): Promise<unknown>;
  /** In-process events as they are recorded (EventLog.subscribe): dispatch at once instead of at the next poll. */
  subscribe?(listener: (e: EventRecord) => void): () => void;
  /** Settles once the subscription also hands over what is stored from then on (EventLog.following). */
  following?(): Promise<void>;
  logger: Logger;
  /** Base of deployment links when notifications.link is not set. */
  linkBase: string;
  onOutcome?(targetType: string, outcome: 'sent' | 'retry' | 'failed'): void;
  /**
   * Events appended by other processes or without the EventLog are picked up this often (ms). Default: 2 s with
   * `subscribe` (the EventLog also hands over the events it reads from the store while anyone listens, so this poll
   * is only a safety net), else 250 ms. At most 250 ms, whatever this says, while the last pass saw events held back
   * behind a running transaction: no wake-up announces when it ends (poll-period.ts).
   */
  pollMs?: number;
  /**
   * The least time between two dispatcher passes (ms): a burst of events is read in a few batches, not one
   * transaction per event, and the engine's own writes do not queue behind them.
   */
  dispatchMs?: number;
  /** Send from a thread of their own (send-thread.ts); closed with the notifier. */
  sendThread?: SendThread;
}

/** Passes run one after another while triggering events wait behind a running transaction. */
const heldBackPasses = 8;

export class Notifier {
  readonly dispatcher: Dispatcher;
  readonly worker: DeliveryWorker;
  private timer: NodeJS.Timeout | undefined;
  private freezeTimer: NodeJS.Timeout | undefined;
  private freezing: Promise<number> | undefined;
  private unsubscribe: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private lastPollAt = 0;

  private readonly options: NotifierOptions;

  constructor(options: NotifierOptions) {
    // Reading the outbox and recording outcomes gives way to the engine's statements: a burst of deliveries must not
    // slow a deployment's steps (on PGlite, which runs one statement at a time).
    this.options = { ...options, db: options.db.background() };
    this.dispatcher = new Dispatcher({ db: this.options.db, linkBase: options.linkBase });
    this.worker = new DeliveryWorker({ ...this.options, pollMs: options.pollMs });
  }

  async start(): Promise<void> {
    await this.worker.start();
    const kinds = new Set(triggeringKinds);
    this.unsubscribe = this.options.subscribe?.((e) => {
      if (kinds.has(e.kind)) this.dispatch();
    });
    // The first pass below catches up from the cursor: only once the subscription sees what is stored after it.
    await this.options.following?.();
    // The timer runs every 250 ms, but reads the store only when poll() says so (no statement otherwise).
    this.timer = setInterval(() => void this.poll(), Math.min(this.options.pollMs ?? quickPollMs, quickPollMs));
    this.timer.unref();
    this.freezeTimer = setInterval(() => void this.announceFreezes(), 30_000);
    this.freezeTimer.unref();
    void this.announceFreezes();
    this.dispatch();
  }

  private async announceFreezes(): Promise<void> {
    if (this.closed || this.freezing) return;
    this.freezing = announceFreezes(this.options.db, this.options.emit, new Date());
    try {
      await this.freezing;
    } catch (e) {
      if (!this.closed) this.options.logger.error({ err: (e as Error).message }, 'freeze notices failed');
    } finally {
      this.freezing = undefined;
    }
  }

  /** Dispatch if events were recorded after the cursor (one cheap indexed read otherwise). */
  private async poll(): Promise<void> {
    if (this.closed || this.running) return;
    const { pollMs } = this.options;
    const every = pollPeriod({
      pollMs,
      subscribed: this.unsubscribe !== undefined,
      heldBack: this.dispatcher.heldBack,
    });
    if (Date.now() - this.lastPollAt < every - 5) return;
    this.lastPollAt = Date.now();
    try {
      if (!(await hasEventsAfter(this.options.db, this.dispatcher.cursor))) return;
    } catch {
      // The pass reports what is wrong with the store.
    }
    this.dispatch();
  }

  /** Dispatch now (coalesced: a call during a pass runs one more pass after it). */
  dispatch(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      let began = 0;
      let waited = 0;
      do {
        const rest = began + (this.options.dispatchMs ?? 25) - Date.now();
        if (rest > 0) await new Promise((r) => setTimeout(r, rest));
        began = Date.now();
        this.again = false;
        try {
          await this.dispatcher.dispatchAll(() => this.worker.wake());
          // An event committed behind a transaction still running is read once that one ends: look again soon for
          // a few passes (a failing verdict must not wait for the poll), then leave a long transaction to the poll.
          waited = this.dispatcher.heldBack ? waited + 1 : 0;
          if (waited > 0 && waited <= heldBackPasses) this.again = true;
        } catch (e) {
          if (!this.closed) this.options.logger.error({ err: (e as Error).message }, 'notification dispatch failed');
        }
      } while (this.again && !this.closed);
    })().finally(() => {
      this.running = undefined;
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    clearInterval(this.freezeTimer);
    this.unsubscribe?.();
    await this.running;
    await this.freezing?.catch(() => undefined);
    await this.worker.close();
    await this.options.sendThread?.close();
  }
}
