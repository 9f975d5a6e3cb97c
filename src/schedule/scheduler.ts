import type { EventRecord, NewEvent } from '../store/repos/events.js';
import { appendEvent } from '../store/repos/events.js';
import type { Db } from '../store/db.js';
import { isSlipwayError, messageOf } from '../shared/errors.js';
import { formatDuration } from '../shared/duration.js';
import type { Logger } from '../shared/logging.js';
import { activeDeployment } from '../store/repos/deployments.js';
import { getProject } from '../store/repos/projects.js';
import {
  claimScheduled,
  finishScheduled,
  listDue,
  markNoticed,
  nextDueAt,
  type ScheduledDeployment,
  unclaimScheduled,
} from '../store/repos/scheduled-deployments.js';
import { scheduledFor } from '../model/requested-by.js';
import { describeScheduled } from './schedule.js';
import { defaultMaxWaitMs, gaveUp, recordWait, waitLimit } from './wait.js';

/** What the scheduler starts a deployment with: the engine's ordinary deploy (Engine.deploy). */
export type StartDeployment = (req: {
  project: string;
  service: string;
  environment: string;
  version: string;
  strategy?: string;
  requestedBy?: string;
  emergency?: { reason: string };
}) => Promise<{ id: string }>;

export interface SchedulerOptions {
  db: Db;
  logger: Logger;
  deploy: StartDeployment;
  now?: () => number;
  /**
   * Between checks when nothing is due sooner (default 1 s; 10 s with `subscribe`, a safety poll). Otherwise the
   * scheduler checks at the time the next pending schedule falls due, read from the store after every check.
   */
  intervalMs?: number;
  /**
   * Events as this process hands them over (EventLog.subscribe, which also reads those other coordinators store): a
   * `deployment.scheduled` event makes the scheduler look at once, so a new schedule is timed without polling.
   */
  subscribe?(listener: (e: EventRecord) => void): () => void;
  /** A schedule this late (the coordinator was down at its time) is not started but failed (default 15 min). */
  missedAfterMs?: number;
  /**
   * How long one whose time came while another deployment of its service ran there waits behind it, when its
   * environment has no deployment windows (with windows: until the window closes); then it fails (default 1 h).
   */
  maxWaitMs?: number;
}

const about = (s: ScheduledDeployment) => ({ project: s.project, service: s.service, environment: s.environment });

/**
 * Scheduled deployments: stored (so a restart keeps them), announced by a `maintenance.notice` event
 * `notifyBefore` their time, and started at their time through the engine's ordinary deploy — which checks the
 * pipeline again (a freeze added since, approvals). Each is claimed before it starts, so it starts at most once.
 * One whose time comes while another deployment of its service runs there stays pending, waiting behind it
 * (wait.ts), and starts when that one ends.
 */
/** A timer may fire a little before the clock reaches its time: aim this much after, so the check finds it due. */
const lateMs = 5;

export class DeploymentScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private started = false;
  private again = false;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly o: SchedulerOptions) {}

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  /**
   * Check when the next schedule falls due, when one is added, and every `intervalMs` at the latest; idempotent.
   * It checked every second, one statement a second of an idle coordinator that had nothing scheduled.
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.unsubscribe = this.o.subscribe?.((e) => {
      // A deployment that ends may be the one a due schedule waits behind.
      if (e.kind === 'deployment.scheduled' || e.kind === 'deployment.finished') this.check();
    });
    // The first check a second after the start, as before: one due while no coordinator ran starts then.
    this.wakeIn(Math.min(1000, this.pollMs()));
  }

  async stop(): Promise<void> {
    this.started = false;
    this.unsubscribe?.();
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private pollMs(): number {
    return this.o.intervalMs ?? (this.o.subscribe ? 10_000 : 1000);
  }

  private wakeIn(ms: number): void {
    clearTimeout(this.timer);
    if (!this.started) return;
    this.timer = setTimeout(() => this.check(), ms);
    this.timer.unref();
  }

  /** A check now (one more after the one running), then the timer is set for the next due schedule. */
  private check(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.tick();
      } while (this.again && this.started);
      let wait = this.pollMs();
      try {
        const next = await nextDueAt(this.o.db);
        // One still due after the check (its notice or start failed, and it stays pending) is looked at again a
        // second later, as before, not every few milliseconds.
        const untilDue = next ? next.getTime() - this.now() : wait;
        wait = Math.min(wait, untilDue > 0 ? untilDue + lateMs : 1000);
      } catch (e) {
        this.o.logger.warn({ err: messageOf(e) }, 'scheduled deployments: could not read the next time; polling');
      }
      this.wakeIn(wait);
    })().finally(() => (this.running = undefined));
  }

  /** Send the notices that are due, then start the deployments whose time has come. Never throws. */
  async tick(): Promise<void> {
    try {
      const now = new Date(this.now());
      const due = await listDue(this.o.db, now);
      for (const s of due.notice) await this.notice(s, now);
      for (const s of due.run) await this.run(s, now);
    } catch (e) {
      this.o.logger.warn({ err: messageOf(e) }, 'scheduled deployments: check failed; retrying');
    }
  }

  private async notice(s: ScheduledDeployment, now: Date): Promise<void> {
    await this.o.db.transaction(async (tx) => {
      if (!(await markNoticed(tx, s.id, now))) return;
      const inMs = Math.max(0, s.runAt.getTime() - now.getTime());
      await appendEvent(tx, {
        ...about(s),
        kind: 'maintenance.notice',
        message:
          `maintenance: ${s.service} ${s.version} will be deployed to ${s.environment} at ` +
          `${s.runAt.toISOString()} (in ${formatDuration(inMs)})`,
        data: describeScheduled(s),
      });
    });
  }

  private async run(s: ScheduledDeployment, now: Date): Promise<void> {
    const lateMs = now.getTime() - s.runAt.getTime();
    // One that has been waiting behind another deployment is not missed: its bound is waitUntil.
    if (!s.waitingSince && lateMs > (this.o.missedAfterMs ?? 15 * 60_000)) {
      if (!(await claimScheduled(this.o.db, s.id, 'started'))) return;
      return this.fail(
        s,
        `missed: the coordinator was not running at ${s.runAt.toISOString()} (${formatDuration(lateMs)} ago)`,
      );
    }
    // Looked up before the claim, so a schedule that must wait is never claimed (a cancel meanwhile still works).
    const blocking = await activeDeployment(this.o.db, s.project, s.service, s.environment);
    if (blocking || (s.waitUntil && now >= s.waitUntil)) return this.wait(s, blocking?.id, now);
    if (!(await claimScheduled(this.o.db, s.id, 'started'))) return;
    try {
      const d = await this.o.deploy({
        project: s.project,
        service: s.service,
        environment: s.environment,
        version: s.version,
        ...(s.request.strategy ? { strategy: s.request.strategy } : {}),
        ...(s.request.emergency ? { emergency: s.request.emergency } : {}),
        requestedBy: s.requestedBy ? scheduledFor(s.requestedBy) : 'scheduled',
      });
      await finishScheduled(this.o.db, s.id, { deploymentId: d.id });
      const waited = s.waitingSince
        ? ` after waiting ${formatDuration(now.getTime() - s.waitingSince.getTime())} behind ${s.waitingBehind}`
        : '';
      await this.emit({
        ...about(s),
        deploymentId: d.id,
        kind: 'deployment.schedule.started',
        message: `scheduled deployment ${s.id} started as ${d.id}${waited}`,
        data: { ...describeScheduled(s), deployment: d.id },
      });
    } catch (e) {
      // Another deployment began between the look and the start: put the claim back and wait behind that one.
      const behind = busyWith(e);
      if (behind && (await unclaimScheduled(this.o.db, s.id))) return this.wait(s, behind, now);
      await this.fail(s, startRefusal(e));
    }
  }

  /** Wait behind `blocking` (recorded once per deployment), or fail once the wait's bound has passed. */
  private async wait(s: ScheduledDeployment, blocking: string | undefined, now: Date): Promise<void> {
    const environment = async () =>
      (await getProject(this.o.db, s.project))?.config.environments.find((e) => e.name === s.environment);
    const until = s.waitUntil ?? waitLimit(await environment(), now, this.o.maxWaitMs ?? defaultMaxWaitMs);
    if (now >= until || !blocking) {
      if (!(await claimScheduled(this.o.db, s.id, 'started'))) return;
      return this.fail(s, gaveUp(s, until, now, blocking));
    }
    await recordWait(this.o.db, s, blocking, now, until);
  }

  private async fail(s: ScheduledDeployment, error: string): Promise<void> {
    await finishScheduled(this.o.db, s.id, { error });
    await this.emit({
      ...about(s),
      kind: 'deployment.schedule.failed',
      message: `scheduled deployment of ${s.service} ${s.version} to ${s.environment} did not start: ${error}`,
      // Its maintenance notice went out: those told it was coming hear it did not happen (notify/triggers.ts).
      data: { ...describeScheduled(s), error, noticed: Boolean(s.noticedAt) },
    });
  }

  private async emit(e: NewEvent): Promise<void> {
    try {
      await appendEvent(this.o.db, e);
    } catch (err) {
      this.o.logger.error({ err: messageOf(err), kind: e.kind }, 'could not record event');
    }
  }
}

/** The deployment the engine's refusal says is running there, when that is why it refused. */
function busyWith(e: unknown): string | undefined {
  const busy = isSlipwayError(e) && e.code === 'conflict' ? e.details?.deployment : undefined;
  return typeof busy === 'string' ? busy : undefined;
}

/**
 * Why the engine refused a scheduled deployment at its time, for the schedule's error and its announcement. The
 * engine answers a person at the CLI; advice meant for them (`--queue`) is no use to a schedule that has passed.
 */
function startRefusal(e: unknown): string {
  const message = messageOf(e);
  const busy = isSlipwayError(e) && e.code === 'conflict' && typeof e.details?.deployment === 'string';
  return busy ? `${message.replace(/; wait for it to finish, or pass --queue$/, '')} at its time` : message;
}
