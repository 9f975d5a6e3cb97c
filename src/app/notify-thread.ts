/**
 * The notifier in a thread of its own (notify-thread-main.ts), seen from the coordinator's thread: it answers what
 * the thread asks (secrets, events to record, whether the event log follows the store), writes its logs, counts its
 * outcomes, and hands it the triggering events this process records. If the thread dies, the notifier starts again
 * on this thread (`fallback`): the outbox is in the store, so nothing is lost, only sent from here.
 */
import type { Worker } from 'node:worker_threads';
import type { SecretVault } from '../access/secrets/vault.js';
import type { EventLog } from '../engine/event-log.js';
import type { Notifier } from '../notify/notifier.js';
import { triggeringKinds } from '../notify/triggers.js';
import { messageOf } from '../shared/errors.js';
import type { Logger } from '../shared/logging.js';
import { startThreadModule } from '../shared/thread-module.js';
import type { StoreShare } from '../store/db.js';
import type {
  FromNotifyThread,
  HeldDeliveries,
  NotifyThreadAsk,
  NotifyThreadStart,
  ToNotifyThread,
} from './notify-thread-protocol.js';

/** A coordinator's notifier, wherever it runs. */
export interface RunningNotifications {
  /** The notifier itself when it runs on this thread (tests look into its dispatcher); absent in its own thread. */
  readonly here?: Notifier;
  /** What the delivery worker holds in memory (a benchmark that times out says it). */
  held(): Promise<HeldDeliveries>;
  /** Stop it: in-flight sends stay pending in the store for the next start. */
  close(): Promise<void>;
}

/** A notifier on this thread, as RunningNotifications. */
export function runningHere(notifier: Notifier): RunningNotifications {
  return { here: notifier, held: async () => notifier.worker.held(), close: () => notifier.close() };
}

export interface NotifyThreadDeps {
  store: StoreShare;
  events: EventLog;
  secrets: SecretVault;
  logger: Logger;
  linkBase: string;
  pollMs?: number;
  sendThread?: boolean;
  onOutcome?(targetType: string, outcome: 'sent' | 'retry' | 'failed'): void;
  /** Where notifying goes on once the thread has died: this thread. */
  fallback(): Promise<RunningNotifications>;
}

/** How long close() waits for the thread to stop its notifier before ending it anyway. */
const closeWaitMs = 15_000;

export class NotifyThread implements RunningNotifications {
  private readonly unsubscribe: () => void;
  private readonly heldWaiting = new Map<number, (held: HeldDeliveries) => void>();
  private nextHeld = 1;
  private closing: Promise<void> | undefined;
  private closedByThread: (() => void) | undefined;
  /** The notifier on this thread, once the thread died. */
  private replacement: Promise<RunningNotifications> | undefined;
  private started: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private lastError: string | undefined;

  private constructor(
    /** The thread (a test ends it to see the fallback take over). */
    readonly worker: Worker,
    private readonly deps: NotifyThreadDeps,
  ) {
    worker.on('message', (m: FromNotifyThread) => this.onMessage(m));
    worker.on('error', (e) => {
      this.lastError = e.message;
    });
    worker.on('exit', (code) => this.onExit(code));
    // Wake-ups for the thread's dispatcher, as the EventLog hands them to a notifier on this thread.
    const kinds = new Set(triggeringKinds);
    this.unsubscribe = deps.events.subscribe((event) => {
      if (kinds.has(event.kind)) this.tell({ op: 'recorded', event });
    });
    // Like the notifier's own timers: it does not keep the process alive.
    worker.unref();
  }

  /** Start the thread and its notifier; rejects (the thread ended) when the notifier cannot start there. */
  static async start(deps: NotifyThreadDeps): Promise<NotifyThread> {
    const start: NotifyThreadStart = {
      store: deps.store,
      linkBase: deps.linkBase,
      ...(deps.pollMs ? { pollMs: deps.pollMs } : {}),
      logLevel: (deps.logger as { level?: string }).level ?? 'info',
      sendThread: deps.sendThread !== false,
    };
    const worker = startThreadModule(import.meta.url, 'notify-thread-main', {
      workerData: start,
      transferList: [deps.store.port],
    });
    const thread = new NotifyThread(worker, deps);
    try {
      await new Promise<void>((resolve, reject) => (thread.started = { resolve, reject }));
    } catch (e) {
      // Ended on purpose: no fallback from here (the caller starts the notifier where it sees fit).
      thread.closing = Promise.resolve();
      thread.unsubscribe();
      await worker.terminate();
      throw e;
    }
    return thread;
  }

  async held(): Promise<HeldDeliveries> {
    if (this.replacement) return (await this.replacement).held();
    const id = this.nextHeld++;
    return new Promise((resolve) => {
      this.heldWaiting.set(id, resolve);
      this.tell({ op: 'held', id });
    });
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.unsubscribe();
      if (this.replacement) return (await this.replacement).close();
      const stopped = new Promise<void>((resolve) => (this.closedByThread = resolve));
      this.tell({ op: 'close' });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([stopped, new Promise((r) => (timer = setTimeout(r, closeWaitMs)))]);
      clearTimeout(timer);
      await this.worker.terminate();
    })();
    return this.closing;
  }

  private tell(m: ToNotifyThread): void {
    this.worker.postMessage(m);
  }

  private onMessage(m: FromNotifyThread): void {
    switch (m.op) {
      case 'started':
        this.started?.resolve();
        this.started = undefined;
        return;
      case 'failed':
        this.started?.reject(new Error(m.error));
        this.started = undefined;
        return;
      case 'ask':
        void this.answer(m);
        return;
      case 'log': {
        const logger = Object.keys(m.bindings).length > 0 ? this.deps.logger.child(m.bindings) : this.deps.logger;
        if (m.msg === undefined) logger[m.level](m.obj);
        else logger[m.level](m.obj, m.msg);
        return;
      }
      case 'outcome':
        this.deps.onOutcome?.(m.targetType, m.outcome);
        return;
      case 'held':
        this.heldWaiting.get(m.id)?.(m.held);
        this.heldWaiting.delete(m.id);
        return;
      case 'closed':
        this.closedByThread?.();
    }
  }

  private async answer(q: NotifyThreadAsk): Promise<void> {
    try {
      let result: unknown;
      if (q.what === 'secrets')
        result = await this.deps.secrets.environmentFor({ project: q.project, environment: q.environment });
      else if (q.what === 'emit') await this.deps.events.emit(q.event);
      else await this.deps.events.following();
      this.tell({ op: 'answer', id: q.id, result });
    } catch (e) {
      this.tell({ op: 'answer', id: q.id, error: messageOf(e) });
    }
  }

  /** The thread ended: expected after close(); else the notifier goes on here. */
  private onExit(code: number): void {
    const why = this.lastError ?? `exit code ${code}`;
    if (this.started) {
      // Not started yet: start() rejects, and its caller decides where to notify from.
      this.started.reject(new Error(`the notifier thread ended before it started (${why})`));
      this.started = undefined;
      return;
    }
    for (const resolve of this.heldWaiting.values()) resolve({ services: [], unrecorded: 0, recording: false });
    this.heldWaiting.clear();
    if (this.closing) return;
    this.deps.logger.error({ err: why }, "the notifier's thread stopped; notifying from the coordinator's thread");
    this.replacement = this.deps.fallback();
    this.replacement.catch((e: unknown) =>
      this.deps.logger.error({ err: messageOf(e) }, "notifications could not start on the coordinator's thread"),
    );
  }
}
