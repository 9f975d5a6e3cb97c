/**
 * PGlite runs one statement at a time, in this process. When a burst of background work (delivering a thousand
 * notifications) queues hundreds of statements, a deployment step's two writes waited behind all of them: p99 6 →
 * 69 ms in bench:notify. The lanes keep one operation in flight and hand the store to the foreground lane first; the
 * background lane gets every idle moment, and a turn after every `foregroundTurns` foreground operations while both
 * wait, so a foreground statement waits for at most one background one and the background is never starved (a
 * steady stream of the engine's statements must not hold notifications back).
 * `holdMs`: a deployment step is two statements, the second sent once the first's answer is back. Between them the
 * foreground queue is empty for a moment, and a background statement that started then (5–100 ms for a batch of a
 * burst) made the step wait for all of it. So the background lane waits up to `holdMs` after a foreground operation
 * ends, unless the foreground lane has had its `foregroundTurns` since the last background one (no starvation).
 * The deployment lane goes before both: a running deployment's own bookkeeping (its step's event and state), a few
 * statements a step. In bench:notify's burst the burst's own event writes, foreground, earned the background its
 * turns, and a step's second statement waited behind one of them (p50 1.3 → 6–7 ms). Its operations neither take
 * nor give the others' turns, and the background waits `holdMs` after each, whatever the foreground's count.
 * `reserve`: what was left in bench:notify's burst was the background statement already running when a step's
 * statement arrived (2–10 ms; PGlite cannot pause it). The engine's steps start when its timers end, so it says when
 * each wait ends (`expectDeployment`), and the background starts nothing that would still run at that time (judged
 * by how long the last statements of the same SQL took: a cursor read slips in, a burst's batch of 2–17 ms waits)
 * until the deployment's statement comes or `afterMs` after it. After a deployment's statement it waits for the step's
 * next one (`holdAfterDeploymentMs`) until the deployment announces its next wait. A deployment whose timers end
 * every few ms must not starve notifications: a background operation that waited `maxWaitMs` goes at the next
 * announcement, when the deployment has just written and begun to wait (going at any moment, it often landed just
 * before the next step), and nothing holds it more than twice `maxWaitMs`.
 */
export type Lane = 'deployment' | 'foreground' | 'background';

/** How fast the lanes forget how long a kind of background statement took (see `took`). */
const learnedHalfLifeMs = 1000;

interface Waiting {
  start: () => void;
  /** What kind of operation it is (its SQL): how long the last ones of its kind took predicts its own time. */
  kind?: string;
}

/** How the background gives way to a deployment write announced ahead (see above). */
export interface Reserve {
  /**
   * The hold after a deployment's statement, instead of `holdMs`: until its next statement or its next wait (the
   * announcement ends the hold). In a burst the coordinator's busy thread took up to 4 ms between a step's two.
   */
  holdAfterDeploymentMs?: number;
  beforeMs: number;
  afterMs: number;
  maxWaitMs: number;
}

export class StatementLanes {
  private busy = false;
  private picking = false;
  private foregroundSinceBackground = 0;
  /** When the last foreground operation settled (performance.now()). */
  private foregroundEndedAt = Number.NEGATIVE_INFINITY;
  /** When the last deployment operation settled: the background holds after it whatever the count. */
  private deploymentEndedAt = Number.NEGATIVE_INFINITY;
  private holdTimer: NodeJS.Timeout | undefined;
  /** When announced deployment writes are due (performance.now()). */
  private expected: number[] = [];
  /** Since when the background operation first in line has waited (its predecessor started, or it was queued). */
  private backgroundWaitingSince = Number.POSITIVE_INFINITY;
  /** The background waited its most and a deployment has just begun a wait: the moment farthest from its next write. */
  private released = false;
  /**
   * How long background operations of each kind took lately: a longer one at once, then half as much each
   * `learnedHalfLifeMs` (by time, not by run: a burst's attempt-end batches took 1–25 ms, and ten small ones in a row
   * cut a tenth-less-each-run guess of a 25 ms one to 9 ms, so the next long one could start 10 ms before a step).
   */
  private readonly took = new Map<string, { ms: number; at: number }>();
  private readonly waiting: Record<Lane, Waiting[]> = { deployment: [], foreground: [], background: [] };

  /**
   * `defer` (e.g. setImmediate): pick the next operation only on a later turn of the event loop. Where requests
   * arrive as messages (PGlite's thread), an operation that settles on microtasks would otherwise run the whole
   * queue before the next message, a foreground one, is even read.
   */
  constructor(
    private readonly foregroundTurns = 2,
    private readonly defer?: (pick: () => void) => void,
    private readonly holdMs = 0,
    private readonly reserve?: Reserve,
  ) {}

  /** A running deployment will write at `at` (performance.now() of this thread): its timer ends then. */
  expectDeployment(at: number): void {
    if (!this.reserve) return;
    const now = performance.now();
    this.forgetPast(now);
    this.expected.push(at);
    // The deployment waits now: its step is over, and so is the hold for its next statement.
    this.deploymentEndedAt = Number.NEGATIVE_INFINITY;
    if (this.waiting.background.length === 0) return;
    // A background operation that waited its most goes now, as the deployment begins to wait, rather than at any
    // moment (at a step every few ms, that was often just before the next one).
    if (now - this.backgroundWaitingSince >= this.reserve.maxWaitMs) this.released = true;
    if (this.defer) this.pickLater();
    else if (!this.busy) this.next();
  }

  /** Run `operation` when its lane's turn comes; it holds the store until it settles. */
  run<T>(lane: Lane, operation: () => Promise<T>, kind?: string): Promise<T> {
    if (!this.busy && !this.defer && !(lane === 'background' && this.holding() > 0)) {
      this.busy = true;
      this.count(lane);
      return this.settle(lane, operation, kind);
    }
    return new Promise<T>((resolve, reject) => {
      if (lane === 'background' && this.waiting.background.length === 0)
        this.backgroundWaitingSince = performance.now();
      this.waiting[lane].push({ start: () => this.settle(lane, operation, kind).then(resolve, reject), kind });
      if (this.defer) this.pickLater();
      else if (!this.busy) this.next();
    });
  }

  private pickLater(): void {
    if (!this.defer || this.busy || this.picking) return;
    this.picking = true;
    this.defer(() => {
      this.picking = false;
      if (!this.busy) this.next();
    });
  }

  /** Operations waiting for their turn, per lane (tests, metrics). */
  get queued(): Record<Lane, number> {
    const { deployment, foreground, background } = this.waiting;
    return { deployment: deployment.length, foreground: foreground.length, background: background.length };
  }

  private async settle<T>(lane: Lane, operation: () => Promise<T>, kind?: string): Promise<T> {
    const started = performance.now();
    try {
      return await operation();
    } finally {
      if (lane === 'background' && this.reserve && kind) this.learn(kind, performance.now() - started);
      if (lane === 'foreground') this.foregroundEndedAt = performance.now();
      else if (lane === 'deployment') this.deploymentEndedAt = performance.now();
      if (this.defer) {
        this.busy = false;
        this.pickLater();
      } else this.next();
    }
  }

  private next(): void {
    const lane = this.pick();
    // A background owed its turn and held keeps the foreground waiting too: that ratio is what keeps notifications
    // from falling behind a burst of events (with the foreground let past a held background, bench:notify wrote its
    // 1,000 events in 0.86 s instead of 2.2–2.6, and healthy deliveries took 1.3 s).
    const hold = lane === 'background' ? this.holding() : 0;
    if (!lane || hold > 0) {
      this.busy = false;
      if (hold > 0) this.holdFor(hold);
      return;
    }
    this.busy = true;
    this.count(lane);
    this.waiting[lane].shift()!.start();
  }

  private pick(): Lane | undefined {
    const { deployment, foreground, background } = this.waiting;
    if (deployment.length > 0) return 'deployment';
    if (background.length > 0 && (foreground.length === 0 || this.foregroundSinceBackground >= this.foregroundTurns))
      return 'background';
    return foreground.length > 0 ? 'foreground' : undefined;
  }

  /** How much longer the background lane waits for the foreground's next operation (0: it may go now). */
  private holding(): number {
    const now = performance.now();
    const hold = this.holdingFor(now);
    // With a reserve nothing holds a background operation more than twice `maxWaitMs`: a deployment writing every few
    // ms without announcing its waits kept the 6 ms hold after its statements going (verdict → Slack 1.2 s).
    if (!this.reserve || hold <= 0) return hold;
    return Math.max(0, Math.min(hold, this.backgroundWaitingSince + 2 * this.reserve.maxWaitMs - now));
  }

  private holdingFor(now: number): number {
    const reserved = this.reserved(now);
    if (this.holdMs <= 0) return reserved;
    const afterDeployment = this.deploymentEndedAt + (this.reserve?.holdAfterDeploymentMs ?? this.holdMs) - now;
    if (this.foregroundSinceBackground >= this.foregroundTurns) return Math.max(0, reserved, afterDeployment);
    return Math.max(0, reserved, afterDeployment, this.foregroundEndedAt + this.holdMs - now);
  }

  /**
   * How much longer the background gives way to an announced deployment write (0: none is near). One that waited
   * `maxWaitMs` goes at the next announcement (see expectDeployment), or once it waited twice that if none comes.
   */
  private reserved(now: number): number {
    const reserve = this.reserve;
    if (!reserve || this.expected.length === 0) return 0;
    this.forgetPast(now);
    let until = now;
    const guard = this.guard(this.waiting.background[0]?.kind);
    for (const e of this.expected) if (now >= e - guard) until = Math.max(until, e + reserve.afterMs);
    if (until <= now) return 0;
    const waited = now - this.backgroundWaitingSince;
    if (waited >= reserve.maxWaitMs && this.released) return 0;
    return Math.max(0, Math.min(until - now, 2 * reserve.maxWaitMs - waited));
  }

  /** Forget the announced times more than `afterMs` past: their write came, or will be too late to wait for. */
  private forgetPast(now: number): void {
    this.expected = this.expected.filter((e) => now <= e + this.reserve!.afterMs);
  }

  /**
   * How long before an announced write a background operation of `kind` may not start: as long as the last ones of
   * its kind took, plus 1 ms (a cursor read takes 0.1 ms, a burst's batch 2–17 ms), between `beforeMs` for a kind not
   * seen yet and `maxWaitMs`. Short ones slip in between the steps; a batch waits for the moment after one.
   */
  private guard(kind: string | undefined): number {
    const { beforeMs, maxWaitMs } = this.reserve!;
    const took = kind === undefined ? undefined : this.took.get(kind);
    return took === undefined ? beforeMs : Math.min(maxWaitMs, this.decayed(took, performance.now()) + 1);
  }

  private decayed(took: { ms: number; at: number }, now: number): number {
    return took.ms * 0.5 ** ((now - took.at) / learnedHalfLifeMs);
  }

  private learn(kind: string, ms: number): void {
    // Kinds are the statements' SQL, a bounded set; forget them all if something sends ever new ones.
    if (this.took.size > 500) this.took.clear();
    const now = performance.now();
    const before = this.took.get(kind);
    this.took.set(kind, { ms: Math.max(ms, before ? this.decayed(before, now) : 0), at: now });
  }

  /** Look again once the hold is over (a foreground operation arriving meanwhile is picked at once). */
  private holdFor(ms: number): void {
    if (this.holdTimer) return;
    this.holdTimer = setTimeout(() => {
      this.holdTimer = undefined;
      if (this.busy) return;
      if (this.defer) this.pickLater();
      else this.next();
    }, ms);
  }

  private count(lane: Lane): void {
    if (lane === 'deployment') {
      // The announced write came: the times due by now are met.
      if (this.expected.length > 0) {
        const now = performance.now();
        this.expected = this.expected.filter((e) => e - this.reserve!.beforeMs > now);
      }
      return;
    }
    if (lane === 'background') {
      this.released = false;
      this.backgroundWaitingSince = this.waiting.background.length > 1 ? performance.now() : Number.POSITIVE_INFINITY;
    }
    this.foregroundSinceBackground = lane === 'foreground' ? this.foregroundSinceBackground + 1 : 0;
  }
}
