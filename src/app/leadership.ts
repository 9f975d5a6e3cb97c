import { messageOf } from '../shared/errors.js';
import type { Logger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import {
  acquireLease,
  holderConnected,
  readLease,
  releaseLease,
  renewLease,
  type Candidate,
  type LeaderLease,
  type SeenLeader,
} from '../store/repos/leader-lease.js';

/** Lease timing: renewed every `renewMs`, valid `ttlMs`, followers try to take it every `pollMs`. */
export interface LeaseTiming {
  ttlMs: number;
  renewMs: number;
  pollMs: number;
}

/**
 * 3 s of validity renewed every second: two missed renewals are tolerated. Takeover ≈ poll + resume when the leader's
 * process died (its store connections close with it: acquireLease), ttl + poll + resume when its machine vanished.
 */
export const defaultLeaseTiming: LeaseTiming = { ttlMs: 3000, renewMs: 1000, pollMs: 500 };

export interface LeadershipOptions {
  db: Db;
  candidate: Candidate;
  timing?: LeaseTiming;
  logger: Logger;
  /** Start the leader's parts (engine, loops); the term's fencing token is given. */
  lead(token: number): Promise<void>;
  /** Stop them again (the lease is lost, or the coordinator stops). */
  stepDown(reason: string): Promise<void>;
}

export type Role = 'leader' | 'follower';

/**
 * One coordinator's side of the election: takes the lease when it is free, renews it while leading, and steps
 * down as soon as it cannot prove it still holds it (a failed renewal, or no successful one for longer than the
 * lease lasts, e.g. after a pause). Stepping down is a precaution: the store's fence refuses a deposed leader's
 * writes whatever this loop believes.
 */
export class Leadership {
  private role: Role = 'follower';
  private token = 0;
  /** Local clock (monotonic) of the start of the last renewal the database accepted. */
  private renewedAt = 0;
  private known: LeaderLease | undefined;
  /** The leader last seen with its store connections open: once they are all gone, its lease is taken at once. */
  private seen: SeenLeader | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** True from losing the lease until the leader's parts have stopped: no new term starts before. */
  private settling = false;
  /** Role changes run one after the other: a step-down waits for a start still under way. */
  private transition: Promise<void> = Promise.resolve();
  private readonly timing: LeaseTiming;

  constructor(private readonly options: LeadershipOptions) {
    this.timing = options.timing ?? defaultLeaseTiming;
  }

  get isLeader(): boolean {
    return this.role === 'leader';
  }

  /** The lease last seen: the leader's address and token (ours while leading). */
  get lease(): LeaderLease | undefined {
    return this.known;
  }

  get holder(): string {
    return this.options.candidate.holder;
  }

  /** Run the first round now (so a lone coordinator leads before this resolves when the lease is free). */
  async start(): Promise<void> {
    await this.round();
    await this.transition;
  }

  private schedule(): void {
    if (this.stopped) return;
    const delay = this.role === 'leader' ? this.timing.renewMs : this.timing.pollMs;
    this.timer = setTimeout(() => void this.round(), delay);
  }

  private async round(): Promise<void> {
    try {
      if (this.role === 'leader') await this.renew();
      else await this.tryAcquire();
    } catch (e) {
      this.options.logger.warn({ err: messageOf(e) }, 'leader lease: the store did not answer');
      if (this.role === 'leader' && this.expiredLocally()) this.lose('no renewal reached the store in time');
    } finally {
      this.schedule();
    }
  }

  /** True once our last accepted renewal is older than the lease (minus a margin for clock drift). */
  private expiredLocally(): boolean {
    return performance.now() - this.renewedAt > this.timing.ttlMs - this.timing.renewMs / 2;
  }

  private async renew(): Promise<void> {
    // A late renewal (a starved or paused process) still keeps the term when nobody took the lease meanwhile:
    // the row still names us and our token, and the store's fence refused our writes while it had run out. So a
    // lone coordinator on a busy machine does not turn follower, and refuse writes, over a slow timer.
    const late = this.expiredLocally();
    const started = performance.now();
    const ok = await renewLease(this.options.db, this.holder, this.token, this.timing.ttlMs);
    if (this.role !== 'leader') return;
    if (ok) {
      this.renewedAt = started;
      if (late)
        this.options.logger.warn(
          { token: this.token },
          'the leader lease ran out before it was renewed (was this process paused or starved?); nobody had ' +
            'taken it, so this coordinator keeps leading',
        );
    } else {
      this.known = await readLease(this.options.db).catch(() => this.known);
      const by = this.known && this.known.token !== this.token ? ` by ${this.known.host} pid ${this.known.pid}` : '';
      this.lose(`the store refused the renewal: the lease expired${by ? ` and was taken${by}` : ''}`);
    }
  }

  private async tryAcquire(): Promise<void> {
    if (this.stopped || this.settling) return;
    const started = performance.now();
    const won = await acquireLease(this.options.db, this.options.candidate, this.timing.ttlMs, this.seen);
    if (!won) {
      const lease = await readLease(this.options.db);
      if (lease && (lease.holder !== this.known?.holder || lease.token !== this.known?.token))
        this.options.logger.info(
          { leader: lease.url, host: lease.host, pid: lease.pid, token: lease.token },
          'following the leader',
        );
      this.known = lease;
      // Only a leader once seen connected may be taken over early: one whose connections never carried its holder
      // id (an older coordinator) waits for its lease to run out, as before.
      const connected = lease?.valid ? await holderConnected(this.options.db, lease.holder) : false;
      if (connected) this.seen = { holder: lease!.holder, token: lease!.token };
      else if (this.seen && (this.seen.holder !== lease?.holder || this.seen.token !== lease?.token))
        this.seen = undefined;
      return;
    }
    this.seen = undefined;
    this.known = won;
    this.token = won.token;
    this.renewedAt = started;
    this.role = 'leader';
    this.options.logger.info({ token: won.token }, 'took the leader lease; starting the engine');
    const token = won.token;
    this.transition = this.transition.then(async () => {
      if (this.role !== 'leader' || this.token !== token) return;
      try {
        await this.options.lead(token);
      } catch (e) {
        this.options.logger.error({ err: messageOf(e), token }, 'could not start as leader');
        this.lose(`starting as leader failed: ${messageOf(e)}`);
      }
    });
  }

  private lose(reason: string): void {
    if (this.role !== 'leader') return;
    const token = this.token;
    this.role = 'follower';
    this.settling = true;
    this.options.logger.warn({ token, reason }, `lost the leader lease (token ${token}): ${reason}; stepping down`);
    this.transition = this.transition.then(async () => {
      await this.options.stepDown(reason).catch((e) => {
        this.options.logger.error({ err: messageOf(e) }, 'stepping down failed');
      });
      this.options.logger.info({ token }, 'stepped down; following');
      this.settling = false;
    });
  }

  /** Stop campaigning; a leader stops its parts and gives the lease up so a follower takes over at once. */
  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const wasLeader = this.role === 'leader';
    const token = this.token;
    if (wasLeader) {
      this.role = 'follower';
      this.transition = this.transition.then(() => this.options.stepDown('the coordinator is stopping'));
    }
    await this.transition.catch(() => undefined);
    if (wasLeader) await releaseLease(this.options.db, this.holder, token).catch(() => undefined);
  }
}
