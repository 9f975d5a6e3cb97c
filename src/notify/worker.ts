/**
 * Sends what the dispatcher wrote. A pass (at most one per `passMs` while there is work, else every `pollMs`)
 * claims due deliveries into an in-memory queue per notification service; each queue sends at most
 * `concurrency` at a time with a timeout per attempt and refills from memory the moment an attempt ends, so a
 * dead or hanging endpoint holds only its own slots — never a deployment, never another endpoint. Urgent
 * deliveries (a failing deployment, an incident) go to the head of their queue. How attempts ended, and the
 * notification.sent / notification.failed events (without URLs or tokens), are written in one statement per
 * batch, not one each: a burst must not queue the engine's own writes behind thousands of small ones.
 * A coordinator killed before a batch is written sends those deliveries again after its restart (at least
 * once; the idempotency key lets the receiver drop the copy).
 */
import { setMaxListeners } from 'node:events';
import type { NotificationsConfig, ProjectConfig } from '../config/model.js';
import { messageOf } from '../shared/errors.js';
import type { Logger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import type { NewEvent } from '../store/repos/events.js';
import {
  type AttemptEnd,
  claimDue,
  finishAttempts,
  getNotifyRef,
  type NotifyDelivery,
  releaseInterrupted,
  releaseUnattempted,
  setNotifyRef,
  urgentTriggers,
} from '../store/repos/notify-deliveries.js';
import { getProject } from '../store/repos/projects.js';
import { adviceFor } from './advice.js';
import { nextAttemptDelay } from './backoff.js';
import type { NotificationMessage } from './message.js';
import { sentMessage } from './outcome.js';
import { plainFields } from './secret-names.js';
import { scrub } from './scrub.js';
import type { NotificationSender, ResolvedService, SendOutcome } from './sender.js';
import type { SendThread } from './send-thread.js';
import { deadline } from '../shared/deadline.js';
import { DueTimes } from './due-times.js';
import { OutboxVacuum } from './outbox-vacuum.js';

export interface WorkerOptions {
  db: Db;
  /** By notification service type. */
  senders: Record<string, NotificationSender>;
  /** The secrets of an environment, by name (the vault); never logged. */
  secretsFor(project: string, environment: string): Promise<Record<string, string>>;
  logger: Logger;
  /** Counted in /metrics. */
  onOutcome?(targetType: string, outcome: 'sent' | 'retry' | 'failed'): void;
  /**
   * How often to look for due deliveries when nothing wakes the worker (default 2 s): a safety poll only. The
   * dispatcher wakes it when it writes deliveries, and it sleeps until its own retries fall due (due-times.ts).
   */
  pollMs?: number;
  /** The least time between two passes while attempts end or the dispatcher writes. */
  passMs?: number;
  /** How long an ended attempt may wait in memory before its batch is written (default 50 ms; see defaultFlushMs). */
  flushMs?: number;
  /** Where the exchanges with receivers run (send-thread.ts); without it, on this thread. */
  sendThread?: SendThread;
  /** How long a project's config read from the store is used (default 2 s; tests: 0, read for every use). */
  configCacheMs?: number;
  /** How often deliveries claimed but held by no queue or attempt of this worker are put back (default 60 s). */
  orphanSweepMs?: number;
  /** Ended attempts between two vacuums of the outbox on PGlite (outbox-vacuum.ts; default 5,000). */
  vacuumEvery?: number;
}

const urgent = new Set(urgentTriggers);
/**
 * Ended attempts written per statement, and deliveries claimed per pass. 50 was tried twice (8a1dbfd, 6d1c06f): in
 * unpaced bench:notify a burst's steps came out a little closer to quiet (1.2 % over the quiet p99 in 24 runs, 1.8 %
 * with 200 in 28), the healthy deliveries' tail no better and at worst longer (p99 1.9 s once): a claim of 50,
 * oldest first, can be taken up by one service's backlog, where 200 has room for every service's due deliveries.
 */
const flushBatch = 200;
/**
 * How long an ended attempt waits for a pass's claim to carry it before a batch of its own is written: longer than
 * the least time between passes (25 ms), so that in a burst most ends go with a claim. At 20 ms the batches' own
 * timers wrote four in five ends (bench:notify: 4,940 ends in 293 batches, 1,082 carried by 68 of 308 claims).
 */
const defaultFlushMs = 50;
const passBatch = 200;
/**
 * The safety poll: what nothing in this process announces (deliveries a former leader wrote just before it lost the
 * lease) is found this late at worst. It was 250 ms, the largest share of an idle coordinator's statements.
 */
const safetyPollMs = 2000;
/** When a delivery put back after an attempt that could not end the usual way is tried again. */
const putBackMs = 1000;
/**
 * How often the worker looks for deliveries it claimed but no longer holds (releaseInterrupted): none is known to be
 * left so since putBack, and a look is one indexed statement, so a rare one (an idle coordinator's statements count).
 */
const orphanSweepMs = 60_000;

/** One notification service of one project (`project/target`): its queue in memory and its attempts in flight. */
interface Slot {
  key: string;
  limit: number;
  /** The deliveries whose attempt is running. */
  inFlight: Set<number>;
  urgent: NotifyDelivery[];
  normal: NotifyDelivery[];
  /** Subjects (see subjectOf) with a delivery in flight to this service. */
  busy: Set<string>;
  /**
   * Until when (ms since the epoch) the service asked to be left alone (a Retry-After): nothing starts before then, so
   * a rate-limited Slack is not sent the rest of the queue only to answer 429 to each.
   */
  pausedUntil: number;
  resume?: NodeJS.Timeout;
}

/** The slot's key of a delivery: one notification service of one project. */
const slotKey = (d: Pick<NotifyDelivery, 'project' | 'target'>) => `${d.project ?? ''}/${d.target}`;

/** What a delivery is about, when that orders it: the incident, else the deployment. */
function subjectOf(d: NotifyDelivery): string | undefined {
  const values = (d.message as { values?: Record<string, unknown> }).values;
  const incident = values?.['incident.id'];
  if (typeof incident === 'string' && incident !== '') return `incident:${incident}`;
  return d.deploymentId === undefined ? undefined : `deployment:${d.deploymentId}`;
}

/** The first queued delivery whose subject has nothing in flight; later ones of a busy subject keep their place. */
function takeStartable(queue: NotifyDelivery[], busy: ReadonlySet<string>): NotifyDelivery | undefined {
  const blocked = new Set<string>();
  for (let i = 0; i < queue.length; i++) {
    const subject = subjectOf(queue[i]!);
    if (subject !== undefined && (busy.has(subject) || blocked.has(subject))) {
      blocked.add(subject);
      continue;
    }
    return queue.splice(i, 1)[0];
  }
  return undefined;
}

/**
 * How many deliveries a service may hold claimed (queued + in flight): enough for a fast endpoint to keep
 * sending between two passes, few enough that a hanging one holds little. Four per connection was too few once a
 * running deployment spaced the claims out (statement-lanes.ts): in bench:notify's burst the healthy deliveries waited
 * a median 560–590 ms in the outbox; sixteen, 100–270 ms (and 120 ms p99 end to end without a deployment stepping).
 */
const capacityOf = (slot: Slot) => Math.max(8, slot.limit * 16);
const heldBy = (slot: Slot) => slot.inFlight.size + slot.urgent.length + slot.normal.length;

interface Cached<T> {
  value: Promise<T>;
  at: number;
}

/** The cached look-up of `key` while younger than `ms`, else a new one; a failed one is not kept. */
function cachedFor<T>(cache: Map<string, Cached<T>>, key: string, ms: number, load: () => Promise<T>): Promise<T> {
  const cached = cache.get(key);
  if (cached && Date.now() - cached.at < ms) return cached.value;
  const entry = { value: load(), at: Date.now() };
  cache.set(key, entry);
  entry.value.catch(() => {
    if (cache.get(key) === entry) cache.delete(key);
  });
  return entry.value;
}

interface Ended {
  end: AttemptEnd;
  event?: NewEvent;
  targetType: string;
}

export class DeliveryWorker {
  private readonly slots = new Map<string, Slot>();
  private readonly secrets = new Map<string, Cached<Record<string, string>>>();
  private readonly attempts = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private readonly configs = new Map<string, Cached<ProjectConfig | undefined>>();
  private ended: Ended[] = [];
  /** The batch of ended attempts whose write is under way (see heldIds). */
  private recording: Ended[] = [];
  /** The ended attempts a pass's claim is writing (see pass). */
  private carried: Ended[] = [];
  private sweptAt = Date.now();
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private woken = false;
  /** When the retries this worker put back fall due. */
  private readonly retries = new DueTimes();
  /** The time the last claim asked for deliveries due by (ms since the epoch). */
  private claimedThrough = 0;
  private loop: Promise<void> | undefined;
  private readonly vacuum: OutboxVacuum;

  constructor(private readonly options: WorkerOptions) {
    this.vacuum = new OutboxVacuum(options.db, options.logger, options.vacuumEvery);
    // Every attempt in flight follows this signal (deadline(): one listener, removed when the attempt ends); a burst
    // has more attempts in flight than Node's default of 10 before it warns of a leak that is not one.
    setMaxListeners(0, this.stopping.signal);
  }

  /** Start sending; deliveries a stopped coordinator left mid-send are sent again first. */
  async start(): Promise<void> {
    const released = await releaseInterrupted(this.options.db);
    if (released > 0) this.options.logger.info({ released }, 'notifications interrupted mid-send will be sent again');
    this.loop = this.run();
  }

  /** Look for due deliveries soon (the dispatcher wrote some, or an attempt ended). */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /**
   * What the worker holds in memory: per notification service the attempts in flight and the deliveries queued, and
   * the ended attempts not yet recorded (whether a write of them is under way). For diagnostics (bench:notify).
   */
  held(): { services: { key: string; inflight: number; queued: number }[]; unrecorded: number; recording: boolean } {
    return {
      services: [...this.slots.values()].map((s) => ({
        key: s.key,
        inflight: s.inFlight.size,
        queued: s.urgent.length + s.normal.length,
      })),
      unrecorded: this.ended.length + this.carried.length,
      recording: this.flushing !== undefined || this.carried.length > 0,
    };
  }

  /** Stop: attempts in flight are aborted and, like those still queued, left pending for the next start. */
  async close(): Promise<void> {
    this.stopping.abort(new Error('the coordinator is stopping'));
    this.wake();
    await this.loop;
    const queued = [...this.slots.values()].flatMap((s) => [...s.urgent, ...s.normal].map((d) => d.id));
    for (const slot of this.slots.values()) {
      slot.urgent = slot.normal = [];
      clearTimeout(slot.resume);
    }
    await Promise.allSettled([...this.attempts]);
    await releaseUnattempted(this.options.db, queued).catch(() => undefined);
    clearTimeout(this.flushTimer);
    await this.flushing;
    while (this.ended.length > 0) if (!(await this.flush())) break;
  }

  private async run(): Promise<void> {
    const passMs = this.options.passMs ?? 25;
    while (!this.stopping.signal.aborted) {
      const began = Date.now();
      try {
        await this.pass();
        await this.sweep();
        if (this.idle()) await this.vacuum.whenIdle();
      } catch (e) {
        if (!this.stopping.signal.aborted)
          this.options.logger.error({ err: scrub(messageOf(e), []) }, 'notification pass failed');
      }
      if (!this.woken) {
        const wait = this.retries.waitFrom(Date.now(), this.options.pollMs ?? safetyPollMs, this.claimedThrough);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          this.wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeUp = undefined;
      }
      this.woken = false;
      // However often attempts end, one pass per `passMs`: the queues refill from memory in between.
      const rest = began + passMs - Date.now();
      if (rest > 0 && !this.stopping.signal.aborted) await new Promise((r) => setTimeout(r, rest));
    }
  }

  /** Whether this worker holds nothing: no delivery queued or in flight, no ended attempt left to record. */
  private idle(): boolean {
    if (this.ended.length > 0 || this.flushing) return false;
    for (const slot of this.slots.values())
      if (slot.inFlight.size > 0 || slot.urgent.length > 0 || slot.normal.length > 0) return false;
    return true;
  }

  /** The deliveries this worker holds claimed: queued, in flight, or ended and not yet recorded. */
  private heldIds(): number[] {
    const ids = [...this.recording, ...this.carried, ...this.ended].map((e) => e.end.id);
    for (const slot of this.slots.values())
      ids.push(...slot.inFlight, ...[...slot.urgent, ...slot.normal].map((d) => d.id));
    return ids;
  }

  /**
   * Put back what is claimed in the store but held by nothing here (see putBack for how that happened). Between two
   * passes, so no claim is on its way; this coordinator's worker is the only one (a new leader's first releases them
   * all), so what it does not hold, no attempt holds.
   */
  private async sweep(): Promise<void> {
    if (Date.now() - this.sweptAt < (this.options.orphanSweepMs ?? orphanSweepMs)) return;
    this.sweptAt = Date.now();
    const released = await releaseInterrupted(this.options.db, this.heldIds());
    if (released === 0) return;
    this.options.logger.warn({ released }, 'notifications claimed but held by no attempt were put back');
    this.woken = true;
  }

  private async pass(): Promise<void> {
    const rooms: Record<string, number> = {};
    for (const slot of this.slots.values()) rooms[slot.key] = Math.max(0, capacityOf(slot) - heldBy(slot));
    // A service seen for the first time gets the room of the smallest queue until its config is read.
    this.claimedThrough = Date.now();
    // The ended attempts waiting for their batch are written by the claim's statement: in a burst a statement's fixed
    // cost was most of a batch's (PGlite: ~1.4 ms of an attempt-end batch of ~20), and passes and batches came about
    // as often. Not while a batch is being written: that write keeps the order of the ends it has.
    const carried = this.flushing ? [] : this.ended.splice(0, flushBatch);
    this.carried = carried;
    // All of them carried: the next end starts its own wait (else the wait of these would write the next few alone).
    if (carried.length > 0 && this.ended.length === 0) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    let claimed: NotifyDelivery[];
    try {
      claimed = await claimDue(
        this.options.db,
        new Date(this.claimedThrough),
        { rooms, otherwise: 8, limit: passBatch },
        { ends: carried.map((b) => b.end), events: carried.flatMap((b) => (b.event ? [b.event] : [])) },
      );
    } catch (e) {
      // Written by the next batch, as a failed batch's are.
      this.ended.unshift(...carried);
      if (carried.length > 0) this.flushTimer ??= setTimeout(() => void this.flush(), 1000);
      throw e;
    } finally {
      this.carried = [];
    }
    this.recorded(carried);
    // A full batch may have left due deliveries behind: look again at once rather than at the safety poll.
    if (claimed.length >= passBatch) this.woken = true;
    const touched = new Set<Slot>();
    for (const d of claimed) {
      const slot = await this.slotOf(d);
      (urgent.has(d.trigger) ? slot.urgent : slot.normal).push(d);
      touched.add(slot);
    }
    if (this.stopping.signal.aborted) {
      await releaseUnattempted(
        this.options.db,
        claimed.map((d) => d.id),
      );
      for (const slot of touched) slot.urgent = slot.normal = [];
      return;
    }
    for (const slot of touched) this.pump(slot);
  }

  private async slotOf(d: NotifyDelivery): Promise<Slot> {
    const key = slotKey(d);
    // A config that cannot be read now still gets the delivery a queue: its attempt reports the failure (notStarted).
    const config = await this.configOf(d.project).catch(() => undefined);
    const limit = config?.notifications?.concurrency ?? 4;
    let slot = this.slots.get(key);
    if (!slot) {
      slot = { key, limit, inFlight: new Set(), urgent: [], normal: [], busy: new Set(), pausedUntil: 0 };
      this.slots.set(key, slot);
    }
    slot.limit = limit;
    return slot;
  }

  /**
   * Start queued deliveries while the service has a free slot. Two messages about the same incident or deployment
   * never go to one service at once: they go in their queue's order, so an acknowledgement cannot overtake the
   * opening, or a resolution the acknowledgement (a Jira issue would end in the wrong state).
   */
  private pump(slot: Slot): void {
    if (Date.now() < slot.pausedUntil) return;
    while (slot.inFlight.size < slot.limit && !this.stopping.signal.aborted) {
      const d = takeStartable(slot.urgent, slot.busy) ?? takeStartable(slot.normal, slot.busy);
      if (!d) return;
      const subject = subjectOf(d);
      if (subject !== undefined) slot.busy.add(subject);
      slot.inFlight.add(d.id);
      const attempt = this.configOf(d.project)
        .then(
          (config) => this.attempt(d, config),
          (e: unknown) => this.notStarted(d, `could not read the config of ${d.project}: ${messageOf(e)}`),
        )
        // attempt() and notStarted() log their own errors, scrubbed; what could be left has no secret read, but is
        // scrubbed of URLs all the same.
        .catch((e) =>
          this.options.logger.error({ err: scrub(messageOf(e), []), delivery: d.id }, 'notification attempt failed'),
        )
        .finally(() => {
          slot.inFlight.delete(d.id);
          if (subject !== undefined) slot.busy.delete(subject);
          this.attempts.delete(attempt);
          this.pump(slot);
          // Refill from the store only when the queue runs low: not one pass per attempt.
          if (heldBy(slot) <= capacityOf(slot) / 2) this.wake();
        });
      this.attempts.add(attempt);
    }
  }

  /**
   * Secrets of an environment, kept in memory for a few seconds: a burst of deliveries decrypts
   * them once, and a secret changed with `slipway secrets set` is used within that time. The look-up in flight is
   * what is kept, so the attempts that start together when it expires share one read of the store, not one each
   * (a burst read the secrets ~80 times and the config ~200 times in bench:notify).
   */
  private secretsOf(project: string, environment: string): Promise<Record<string, string>> {
    const key = `${project}/${environment}`;
    return cachedFor(this.secrets, key, 5000, () => this.options.secretsFor(project, environment));
  }

  private async configOf(project: string | undefined): Promise<ProjectConfig | undefined> {
    if (!project) return undefined;
    const ms = this.options.configCacheMs ?? 2000;
    return cachedFor(this.configs, project, ms, async () => (await getProject(this.options.db, project))?.config);
  }

  /**
   * One attempt, and how it ended recorded. An error this code did not expect (a sender's bug, a value it could not
   * record) is logged scrubbed of every secret value the attempt read: a webhook URL, a routing key, a password.
   */
  private async attempt(d: NotifyDelivery, config: ProjectConfig | undefined): Promise<void> {
    const secrets: string[] = [];
    try {
      await this.attemptWith(d, config, secrets);
    } catch (e) {
      // This code failed, not the receiver (a sender's outcome that cannot be read): the attempt counts, as a retry,
      // so the delivery is tried again or fails for good by its retry settings rather than staying claimed.
      const error = scrub(messageOf(e), secrets);
      this.options.logger.error({ err: error, delivery: d.id }, 'notification attempt failed');
      try {
        this.end(d, config?.notifications, { kind: 'retry', error }, secrets);
      } catch {
        this.putBack(d, error, true);
      }
    }
  }

  /**
   * A delivery whose attempt could not end the usual way goes back to pending through the same batched write as any
   * outcome, tried again in a second; `counted`: whether the attempt counts against it (not when it never started).
   * Before, it stayed `sending` in the store, held by no queue, until the coordinator's next start: `bench:notify
   * --in-process --trace` twice left ~90 so, and a failed read of the config as a burst's attempts started is a path
   * that does it (worker-put-back.test.ts).
   */
  private putBack(d: NotifyDelivery, error: string, counted: boolean): void {
    const nextAt = new Date(Date.now() + putBackMs);
    this.record({
      end: { id: d.id, state: 'pending', error, nextAt, ...(counted ? {} : { uncounted: true }) },
      targetType: d.targetType,
    });
  }

  /** An attempt that could not start: the project's config could not be read. */
  private notStarted(d: NotifyDelivery, why: string): void {
    const error = scrub(why, []);
    this.options.logger.error({ err: error, delivery: d.id }, 'notification attempt could not start');
    this.putBack(d, error, false);
  }

  private async attemptWith(d: NotifyDelivery, config: ProjectConfig | undefined, secrets: string[]): Promise<void> {
    const n = config?.notifications;
    let outcome: SendOutcome;
    try {
      outcome = n ? await this.send(d, config, n, secrets) : gone(d);
    } catch (e) {
      outcome = { kind: 'retry', error: messageOf(e) };
    }
    if (this.stopping.signal.aborted && outcome.kind !== 'sent') {
      // Not the receiver's fault: the next start sends it again, without counting this attempt against it.
      await releaseUnattempted(this.options.db, [d.id]).catch(() => undefined);
      return;
    }
    this.end(d, n, outcome, secrets);
  }

  /** Record how an attempt ended: sent, pending again after its backoff, or failed for good (with its event). */
  private end(d: NotifyDelivery, n: NotificationsConfig | undefined, outcome: SendOutcome, secrets: string[]): void {
    // What a service made of a message (a note) is recorded too: scrubbed like an error.
    if (outcome.kind === 'sent' && (outcome.note || outcome.skipped))
      outcome = {
        ...outcome,
        ...(outcome.note ? { note: scrub(outcome.note, secrets) } : {}),
        ...(outcome.skipped ? { skipped: scrub(outcome.skipped, secrets) } : {}),
      };
    // The advice names config keys and secrets, never their values: added after the scrub, which would take nothing.
    const advice = outcome.kind === 'failed' ? adviceFor(outcome.status, n, d.target) : undefined;
    const scrubbed = 'error' in outcome ? scrub(String(outcome.error), secrets) : undefined;
    const error = scrubbed && advice ? `${scrubbed} — ${advice}` : scrubbed;
    const retry = n?.retry ?? { attempts: 1, backoffMs: 1000, maxBackoffMs: 1000 };
    const retryAfter = outcome.kind === 'retry' ? outcome.retryAfterMs : undefined;
    if (retryAfter) this.pause(slotKey(d), Math.min(retryAfter, retry.maxBackoffMs));
    const giveUp = outcome.kind === 'failed' || (outcome.kind === 'retry' && d.attempts >= retry.attempts);
    const state = outcome.kind === 'sent' ? 'sent' : giveUp ? 'failed' : 'pending';
    const end: AttemptEnd = {
      id: d.id,
      state,
      ...(outcome.status ? { status: outcome.status } : {}),
      ...(error ? { error } : {}),
      ...(state === 'pending'
        ? { nextAt: new Date(Date.now() + nextAttemptDelay(d.attempts, retry, retryAfter)) }
        : {}),
    };
    if (state === 'failed') {
      this.options.logger.warn(
        { delivery: d.id, target: d.target, type: d.targetType, attempts: d.attempts, error },
        'notification failed for good',
      );
    }
    this.record({
      end,
      targetType: d.targetType,
      ...(state === 'pending' ? {} : { event: outcomeEvent(d, end, outcome) }),
    });
  }

  /** What follows the write of ended attempts (by a batch of their own or with a claim). */
  private recorded(batch: Ended[]): void {
    if (batch.length === 0) return;
    this.vacuum.ended(batch.length);
    for (const b of batch) this.options.onOutcome?.(b.targetType, b.end.state === 'pending' ? 'retry' : b.end.state);
    // Retries are pending again: the worker wakes when the first of them is due.
    for (const b of batch) if (b.end.nextAt) this.retries.add(b.end.nextAt.getTime());
    if (batch.some((b) => b.end.state === 'pending')) this.wake();
  }

  /** Start nothing more for this service for `ms` (its Retry-After), then carry on with its queue. */
  private pause(key: string, ms: number): void {
    const slot = this.slots.get(key);
    if (!slot || ms <= 0) return;
    slot.pausedUntil = Math.max(slot.pausedUntil, Date.now() + ms);
    clearTimeout(slot.resume);
    slot.resume = setTimeout(() => this.pump(slot), slot.pausedUntil - Date.now());
    slot.resume.unref();
  }

  /**
   * Keep an ended attempt for the next batch; a full batch is written at once, else within `flushMs`, or sooner by
   * the next pass's claim (which comes within `passMs` while attempts end and the queues run low).
   */
  private record(ended: Ended): void {
    this.ended.push(ended);
    if (this.ended.length >= flushBatch) void this.flush();
    else this.flushTimer ??= setTimeout(() => void this.flush(), this.options.flushMs ?? defaultFlushMs);
  }

  /**
   * Write ended attempts and their events, one statement per batch. When the store refuses, they stay in
   * memory (their deliveries stay `sending`) and are written later; returns whether everything was written.
   */
  private async flush(): Promise<boolean> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.flushing) return this.flushing.then(() => this.ended.length === 0);
    let ok = true;
    this.flushing = (async () => {
      while (this.ended.length > 0) {
        const batch = this.ended.splice(0, flushBatch);
        this.recording = batch;
        try {
          // One statement, so no transaction holds the store across round trips.
          await finishAttempts(
            this.options.db,
            batch.map((b) => b.end),
            batch.flatMap((b) => (b.event ? [b.event] : [])),
          );
        } catch (e) {
          this.ended.unshift(...batch);
          this.recording = [];
          ok = false;
          this.options.logger.error(
            { err: scrub(messageOf(e), []), ended: batch.length },
            'could not record notification attempts',
          );
          if (!this.stopping.signal.aborted) this.flushTimer ??= setTimeout(() => void this.flush(), 1000);
          return;
        }
        this.recording = [];
        this.recorded(batch);
      }
    })().finally(() => {
      this.flushing = undefined;
    });
    await this.flushing;
    return ok;
  }

  private async send(
    d: NotifyDelivery,
    config: ProjectConfig,
    n: NotificationsConfig,
    secretValues: string[],
  ): Promise<SendOutcome> {
    const service = n.services[d.target];
    const sender = service && this.options.senders[service.type];
    if (!service || !sender) return gone(d);
    // Secrets are per environment; an event of none (a project-wide alert) uses the last one (production).
    const environment = d.environment ?? config.environments.at(-1)!.name;
    const secrets = await this.secretsOf(config.project, environment);
    const resolved: ResolvedService = { type: service.type };
    for (const [key, value] of Object.entries(service)) {
      if (plainFields.has(key)) {
        resolved[key] = value;
        continue;
      }
      const secret = secrets[String(value)];
      if (secret === undefined) {
        return {
          kind: 'retry',
          error:
            `secret ${String(value)} (notifications.services.${d.target}.${key}) is not set in environment ` +
            `${environment}: slipway secrets set ${String(value)} --env ${environment}`,
        };
      }
      secretValues.push(secret);
      resolved[key] = secret;
    }
    const thread = this.options.sendThread;
    if (thread?.handles(service.type)) {
      const request = { message: d.message as unknown as NotificationMessage, key: d.key, service: resolved };
      return thread.send(service.type, { ...request, timeoutMs: n.timeoutMs }, this.stopping.signal);
    }
    const attempt = deadline(n.timeoutMs, this.stopping.signal);
    const { project, target } = d;
    try {
      return await sender.send({
        message: d.message as unknown as NotificationMessage,
        key: d.key,
        service: resolved,
        signal: attempt.signal,
        refs: {
          get: (refKey) => getNotifyRef(this.options.db, project, target, refKey),
          set: (refKey, value) => setNotifyRef(this.options.db, project, target, refKey, value),
        },
      });
    } finally {
      attempt.done();
    }
  }
}

/** The event that records a delivery's end: sent, or failed for good with the (scrubbed) answer. */
function outcomeEvent(d: NotifyDelivery, end: AttemptEnd, outcome: SendOutcome): NewEvent {
  const sent = end.state === 'sent';
  return {
    ...(d.project ? { project: d.project } : {}),
    ...(d.environment ? { environment: d.environment } : {}),
    ...(d.service ? { service: d.service } : {}),
    ...(d.deploymentId ? { deploymentId: d.deploymentId } : {}),
    kind: sent ? 'notification.sent' : 'notification.failed',
    message: sent
      ? sentMessage(outcome, `${d.target} (${d.targetType}): ${String(d.message.title)}`)
      : `could not notify ${d.target} (${d.targetType}) after ${d.attempts} attempt(s): ${end.error}`,
    data: {
      delivery: d.id,
      key: d.key,
      trigger: d.trigger,
      target: d.target,
      type: d.targetType,
      event: d.eventId,
      attempts: d.attempts,
      ...(end.status ? { status: end.status } : {}),
      ...(end.error ? { error: end.error } : {}),
      ...(d.renderError ? { renderError: d.renderError } : {}),
    },
  };
}

function gone(d: NotifyDelivery): SendOutcome {
  return { kind: 'failed', error: `notification service "${d.target}" is no longer in the config of ${d.project}` };
}
