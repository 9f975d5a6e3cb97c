import type { Db, Queryable } from '../store/db.js';
import {
  appendEvent,
  appendEventsReturning,
  type EventRecord,
  lastEventId,
  listEventsExcept,
  type NewEvent,
} from '../store/repos/events.js';
import type { Logger } from '../shared/logging.js';

/** The fields every event about a deployment carries. */
export function aboutDeployment(d: { project: string; id: string; service: string; environment: string }) {
  return { project: d.project, deploymentId: d.id, service: d.service, environment: d.environment };
}

type Listener = (event: EventRecord) => void;

/** `first`: written by a running deployment's own loop (the executor), in the store's deployment lane. */
export interface WriteOptions {
  first?: boolean;
}

/** What the executor passes for its own writes. */
export const deploymentWrite: WriteOptions = { first: true };

/** How many ids below the newest one seen are read again: a transaction may commit a lower id after a higher one. */
const rescan = 200;

/** Events read by one statement of the tail. */
const tailPage = 200;

/** The most events written by one statement. */
const batchMax = 200;

/** Inserts in flight at once: more would batch less, one alone made every emit wait behind another's insert. */
const writersMax = 3;

/** An event waiting to be stored: one emitted, or (`record`) a change and its event, written alone in a transaction. */
type Waiting = {
  deploymentId: string | undefined;
  /** Written by a running deployment's own loop: the batch that carries it goes in the store's deployment lane. */
  first?: boolean;
  event?: NewEvent;
  write?: () => Promise<EventRecord>;
  resolve: (stored: EventRecord) => void;
  reject: (e: unknown) => void;
};

/**
 * Events are appended to the store (the durable timeline) and then handed to in-process
 * listeners (SSE streams), so a stream never shows an event the store does not have.
 * Some events are appended inside the transaction of their change (incidents, alerts, error issues) and never pass
 * through `emit`: while anyone listens, the store is read for new ids every `tailMs`, and those are handed over too.
 * Emitted events are written in groups: those emitted in the same tick go in one insert, and while `writersMax`
 * inserts are in flight, events emitted meanwhile (by other deployments' steps) wait and go in the next one. With 20
 * deployments in flight this wrote ~2.6 events per step one statement each, the most frequent statement of a step
 * (bench/scale.ts). Each `emit` still resolves only once its own event is stored.
 */
export class EventLog {
  private readonly listeners = new Set<Listener>();
  /** Ids already handed to listeners (the newest few thousand), so none is handed over twice. */
  private readonly handed = new Set<number>();
  private tail: NodeJS.Timeout | undefined;
  private tailing = false;
  /** The newest id read from the store; events at or below `floor` were stored before anyone listened. */
  private cursor = 0;
  private floor = -1;
  /** Settles once the tail's first read set `floor` (or failed); see `following`. */
  private firstRead: Promise<void> = Promise.resolve();
  /** Events waiting for the insert in flight to finish. */
  private pending: Waiting[] = [];
  private writers = 0;
  /** Deployments with an event in an insert in flight: their next events wait for it (see `take`). */
  private readonly writing = new Map<string, number>();
  private starting = false;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly tailMs = 500,
  ) {}

  private hand(event: EventRecord): void {
    this.handed.add(event.id);
    if (this.handed.size > 5000) this.handed.delete(this.handed.values().next().value!);
    for (const listener of this.listeners) listener(event);
  }

  /** One read of the store's newest events; never throws (the next round tries again). */
  private async follow(): Promise<void> {
    if (this.tailing) return;
    this.tailing = true;
    try {
      if (this.floor < 0) {
        this.floor = this.cursor = await lastEventId(this.db);
        return;
      }
      // Reads in the background lane, a page at a time: each read holds the store (PGlite: all of it) only briefly,
      // and a deployment's step goes first (a read of 1,000 events took 17 ms in bench:notify's burst, while a
      // step's write waited for it).
      for (;;) {
        const after = Math.max(this.floor, this.cursor - rescan);
        // The ids already handed over, in the window and above it (emitted), are left out by the store: a quiet log
        // costs one small query, and a burst of emitted events is not read back.
        const seen = [...this.handed].filter((id) => id > after);
        const rows = await listEventsExcept(this.db.background(), { after, except: seen, limit: tailPage });
        for (const e of rows) {
          this.cursor = Math.max(this.cursor, e.id);
          if (!this.handed.has(e.id)) this.hand(e);
        }
        if (rows.length < tailPage || this.listeners.size === 0) {
          // Every id above `after` is now read or handed over: the window moves past the handed ones too, as it did
          // when they were read back.
          for (const id of seen) this.cursor = Math.max(this.cursor, id);
          break;
        }
      }
    } catch (e) {
      this.logger.warn({ err: e }, 'could not read new events for live streams; trying again');
    } finally {
      this.tailing = false;
    }
  }

  private handAndLog(stored: EventRecord): void {
    // The tail may have read it (committed, not yet handed over) and handed it first: each event goes out once.
    if (!this.handed.has(stored.id)) this.hand(stored);
    this.logger.info(
      { kind: stored.kind, deployment: stored.deploymentId, service: stored.service, environment: stored.environment },
      stored.message,
    );
  }

  /**
   * Record an event and notify listeners. Never throws: a lost event must not fail a deployment. `first`: the event
   * is a running deployment's own bookkeeping (the executor's), written in the store's deployment lane (Db.deployment).
   */
  async emit(event: NewEvent, options: WriteOptions = {}): Promise<EventRecord | undefined> {
    try {
      const stored = await this.enqueue({ deploymentId: event.deploymentId, event, first: options.first });
      this.handAndLog(stored);
      return stored;
    } catch (e) {
      this.logger.error({ err: e, kind: event.kind }, 'could not record event');
      return undefined;
    }
  }

  /**
   * Store a change and the event that tells of it in one transaction, in order with the deployment's other events,
   * then hand the event to listeners. Whoever reads the change therefore finds the event stored: a deployment's event
   * stream that finds the deployment finished can end once it has read its `deployment.finished` (it ended without it
   * when the state was committed a few ms before the event, seen as a flaky api.test). Unlike `emit` this throws when
   * the change fails; when only the event cannot be stored, the change is made alone and the loss logged, as `emit`
   * would.
   */
  async record<T>(
    deploymentId: string | undefined,
    change: (tx: Queryable) => Promise<T>,
    eventOf: (changed: T) => NewEvent,
    options: WriteOptions = {},
  ): Promise<T> {
    let changed: { value: T } | undefined;
    let changeFailed = false;
    const db = options.first ? this.db.deployment() : this.db;
    const write = () =>
      db.transaction(async (tx) => {
        changed = undefined;
        try {
          changed = { value: await change(tx) };
        } catch (e) {
          changeFailed = true;
          throw e;
        }
        return appendEvent(tx, eventOf(changed.value));
      });
    try {
      this.handAndLog(await this.enqueue({ deploymentId, write }));
      return changed!.value;
    } catch (e) {
      if (changeFailed) throw e;
      this.logger.error({ err: e, deployment: deploymentId }, 'could not record event; the change is made alone');
      return change(db);
    }
  }

  /** Queue for the next insert; resolves with the event stored. */
  private enqueue(what: Pick<Waiting, 'deploymentId' | 'event' | 'write' | 'first'>): Promise<EventRecord> {
    return new Promise((resolve, reject) => {
      this.pending.push({ ...what, resolve, reject });
      if (this.writers >= writersMax || this.starting) return;
      // After the current tick: events emitted together (Promise.all of steps) share the insert.
      this.starting = true;
      queueMicrotask(() => {
        this.starting = false;
        void this.write();
      });
    });
  }

  /** Insert what is queued, one statement per batch, until nothing is. */
  private async write(): Promise<void> {
    if (this.pending.length === 0) return;
    this.writers++;
    try {
      for (;;) {
        // Whatever is left waits for an insert in flight, whose writer takes it next.
        const batch = this.take();
        if (batch.length === 0) break;
        try {
          await this.insert(batch);
        } finally {
          for (const w of batch) this.done(w.deploymentId);
        }
      }
    } finally {
      this.writers--;
    }
  }

  /**
   * The next batch: queued events in order, but none of a deployment that has an event in an insert in flight, so a
   * deployment's events are stored (and numbered) in the order they were emitted even when its loop does not wait
   * for one before emitting the next (the executor runs a step while its `step.started` is written).
   */
  private take(): Waiting[] {
    const batch: Waiting[] = [];
    const kept: Waiting[] = [];
    // Deployments with an event kept back in this pass: their later events wait behind it.
    const behind = new Set<string | undefined>();
    for (const w of this.pending) {
      const id = w.deploymentId;
      const free = batch.length < batchMax && !(id !== undefined && (this.writing.has(id) || behind.has(id)));
      // A change with its event goes alone: it is its own transaction.
      const alone = w.write !== undefined || batch[0]?.write !== undefined;
      if (free && (!alone || batch.length === 0)) batch.push(w);
      else {
        kept.push(w);
        if (id !== undefined) behind.add(id);
      }
    }
    // Marked after the pass: two events of one deployment queued together still share the batch, in order.
    for (const w of batch) {
      const id = w.deploymentId;
      if (id !== undefined) this.writing.set(id, (this.writing.get(id) ?? 0) + 1);
    }
    this.pending = kept;
    return batch;
  }

  private done(deploymentId: string | undefined): void {
    if (deploymentId === undefined) return;
    const n = (this.writing.get(deploymentId) ?? 1) - 1;
    if (n > 0) this.writing.set(deploymentId, n);
    else this.writing.delete(deploymentId);
  }

  /** One statement for the batch; each emit resolves with its own stored event, or rejects alone. */
  private async insert(batch: Waiting[]): Promise<void> {
    // A batch that carries a deployment's own event goes in its lane: the others in it are only a few more rows.
    const db = batch.some((w) => w.first) ? this.db.deployment() : this.db;
    if (batch.length === 1) {
      const [only] = batch as [Waiting];
      await (only.write ? only.write() : appendEvent(db, only.event!)).then(only.resolve, only.reject);
      return;
    }
    const stored = await appendEventsReturning(
      db,
      batch.map((w) => w.event!),
    ).catch(() => undefined);
    if (stored?.length === batch.length) {
      for (const [i, w] of batch.entries()) w.resolve(stored[i]!);
      return;
    }
    // One bad event (a NUL in its text, say) must not lose the others: each alone, so only it fails.
    for (const w of batch) await appendEvent(db, w.event!).then(w.resolve, w.reject);
  }

  /**
   * Resolves once the tail reads the store: events stored from then on reach the listeners. One stored between
   * `subscribe` and then is below the tail's floor and never handed over, so a subscriber that catches up from the
   * store itself (the notifier's dispatcher from its cursor) waits for this before its first read; else such an event
   * waited for the subscriber's safety poll (seen as a flaky wake-ups.test).
   */
  following(): Promise<void> {
    return this.firstRead;
  }

  /** Listen to new events; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (!this.tail) {
      this.firstRead = this.follow();
      this.tail = setInterval(() => void this.follow(), this.tailMs);
      this.tail.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.tail) {
        clearInterval(this.tail);
        this.tail = undefined;
        this.floor = -1;
      }
    };
  }
}
