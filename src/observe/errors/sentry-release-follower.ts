/**
 * Creates releases and deploys in the team's own Sentry (`errors.forward.releases`) from what the engine records:
 * `deployment.started` creates the release of the deployment's candidate, and a `deployment.finished` that succeeded
 * a deploy of it to the environment. It follows the events table (EventFollower, its cursor moved past each event),
 * so it never holds up a deployment and a restarted coordinator does not send again what it had handled.
 */
import { Counter, type Registry } from 'prom-client';
import { EventFollower, unfinished } from '../../engine/event-follower.js';
import type { Logger } from '../../shared/logging.js';
import type { Db } from '../../store/db.js';
import { getDeployment } from '../../store/repos/deployments.js';
import type { EventRecord, NewEvent } from '../../store/repos/events.js';
import { getProject } from '../../store/repos/projects.js';
import { getRelease } from '../../store/repos/releases.js';
import { anyProjectForwardsReleases } from './release-forwarding.js';
import {
  newDeployRequest,
  newReleaseRequest,
  type SentryUpstream,
  sendUpstream,
  type UpstreamAnswer,
  type UpstreamRequest,
  versionProblem,
} from './sentry-upstream-api.js';

export interface SentryReleaseFollowerOptions {
  db: Db;
  logger: Logger;
  /** An environment's secrets (SecretVault.environmentFor), where the token is. */
  secretsFor(project: string, environment: string): Promise<Record<string, string>>;
  /** Records the outcome of each request as an event of the deployment (never the token). */
  emit?(event: NewEvent): Promise<unknown>;
  /** New events as this process hands them over (EventLog.subscribe): each wakes a pass. */
  subscribe?(listener: (e: EventRecord) => void): () => void;
  /** Between passes when nothing wakes the follower (default 5 s; none while no project forwards releases). */
  pollMs?: number;
  registry?: Registry;
  /** How long close() lets a request in flight finish before cutting it short (default 2 s). */
  closeGraceMs?: number;
  /** Attempts per request (default 5); the first retry waits `backoffMs` (default 1 s), doubling each time. */
  attempts?: number;
  backoffMs?: number;
  /** Per attempt (default 10 s). */
  timeoutMs?: number;
}

/** The context of one request, for logs and events. */
interface Subject {
  project: string;
  environment: string;
  service: string;
  deploymentId: string;
  version: string;
  organization: string;
}

export class SentryReleaseFollower extends EventFollower {
  /** Ends backoff waits at once when closing; `cutShort` ends requests in flight after the grace. */
  private readonly stopWaits = new AbortController();
  private readonly cutShort = new AbortController();
  /** The event in hand was left unfinished by close(): the cursor stays before it. */
  private interrupted = false;
  /** Whether a project forwarded releases when last looked (at start and at every pass). */
  private forwarding = true;
  private readonly outcome: Counter<'request' | 'outcome'>;

  constructor(private readonly o: SentryReleaseFollowerOptions) {
    super({
      db: o.db,
      logger: o.logger,
      name: 'sentry release follower',
      cursor: 'sentry-releases',
      kinds: ['deployment.started', 'deployment.finished'],
      batch: 100,
      // Failed passes over one event (its store reads failing: Sentry's own failures are retried in deliver).
      maxAttempts: 5,
      pollMs: o.pollMs ?? 5000,
      subscribe: o.subscribe,
      // A deployment's events wake a pass at once: there are few, and a release should be there before its errors.
      wakeGapMs: 0,
      heldBackWaitMs: 2000,
      // A request sent is not sent again by a restart.
      saveEachEvent: true,
      retryLogLevel: 'debug',
    });
    const name = 'slipway_sentry_upstream_requests_total';
    this.outcome =
      (o.registry?.getSingleMetric(name) as Counter<'request' | 'outcome'> | undefined) ??
      new Counter({
        name,
        help: "Releases and deploys created in the team's Sentry, by request and outcome (done, refused, failed)",
        labelNames: ['request', 'outcome'],
        registers: o.registry ? [o.registry] : [],
      });
  }

  /**
   * No project forwards releases: the poll reads nothing. A deployment's events still wake a pass, which looks again
   * (a project applied with forwarding since); without `subscribe` nothing would wake it, so it polls.
   */
  protected override idle(): boolean {
    return this.subscribed && !this.forwarding;
  }

  /** Start following; a first start ever begins at the newest event (past deployments are not sent). */
  override async start(): Promise<void> {
    await this.beforePass();
    await super.start();
  }

  protected override async beforePass(): Promise<void> {
    this.forwarding = await anyProjectForwardsReleases(this.o.db);
  }

  /**
   * Stop. A request in flight may finish within the grace, then it is cut short; no retry starts. An event left
   * unfinished is handled again by the next start (Sentry answers 208 to a release it has; a deploy could then be
   * recorded twice, which is rarer than one lost).
   */
  override async close(): Promise<void> {
    this.closed = true;
    this.stopWaits.abort();
    const grace = setTimeout(() => this.cutShort.abort(), this.o.closeGraceMs ?? 2000);
    await super.close();
    clearTimeout(grace);
  }

  protected async handle(e: EventRecord): Promise<typeof unfinished | undefined> {
    await this.send(e);
    return this.interrupted ? unfinished : undefined;
  }

  private async send(e: EventRecord): Promise<void> {
    const { project, environment, deploymentId } = e;
    if (!project || !environment || !deploymentId) return;
    if (e.kind === 'deployment.finished' && e.data.state !== 'succeeded') return;
    const config = (await getProject(this.o.db, project))?.config.errors.forward?.releases;
    if (!config) return;
    const d = await getDeployment(this.o.db, deploymentId);
    const release = d && (await getRelease(this.o.db, d.toRelease));
    if (!d || !release) return;
    // The name the instances' SDKs report under (src/engine/instance-spec.ts): a release's own SENTRY_RELEASE wins.
    const version = release.spec.env?.SENTRY_RELEASE ?? release.version;
    const s: Subject = {
      project,
      environment,
      service: d.service,
      deploymentId,
      version,
      organization: config.organization,
    };
    const problem = versionProblem(version);
    if (problem) {
      this.o.logger.warn({ ...s }, `release ${JSON.stringify(version)} not created in Sentry: ${problem}`);
      return;
    }
    const token = (await this.o.secretsFor(project, environment))[config.tokenSecret];
    if (!token) {
      this.o.logger.info(
        { ...s, tokenSecret: config.tokenSecret },
        `environment ${environment} has no secret ${config.tokenSecret}: nothing sent to Sentry ` +
          `(slipway secrets set ${config.tokenSecret} --env ${environment})`,
      );
      return;
    }
    const upstream: SentryUpstream = { ...config, token };
    const createRelease = newReleaseRequest(upstream, version);
    if (e.kind === 'deployment.started') {
      await this.deliver(createRelease, s, token);
      return;
    }
    const deploy = newDeployRequest(upstream, version, {
      environment,
      dateStarted: d.startedAt ?? d.createdAt,
      dateFinished: d.finishedAt ?? e.at,
      name: `slipway ${deploymentId}`,
    });
    const answer = await this.deliver(deploy, s, token, { quietOn404: true });
    // The release is missing (its creation failed, or it was deleted in Sentry): create it, then the deploy again.
    if (answer.kind === 'refused' && answer.status === 404) {
      if ((await this.deliver(createRelease, s, token)).kind === 'done') await this.deliver(deploy, s, token);
    }
  }

  // Every log line and event below is built from the subject and the answer (whose texts sendUpstream scrubs of the
  // token), never from the request's headers.
  /** One request with its retries; the last answer. */
  private async deliver(
    r: UpstreamRequest,
    s: Subject,
    token: string,
    o: { quietOn404?: boolean } = {},
  ): Promise<UpstreamAnswer> {
    const attempts = this.o.attempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      if (this.closed && attempt > 1) {
        this.interrupted = true;
        return { kind: 'retry', reason: 'stopping' };
      }
      const timeoutMs = this.o.timeoutMs ?? 10_000;
      const answer = await sendUpstream(r, token, { timeoutMs, signal: this.cutShort.signal });
      if (answer.kind === 'done') {
        this.outcome.inc({ request: r.what, outcome: 'done' });
        const said = this.said(r, s, answer.existed);
        this.o.logger.info({ ...s, status: answer.status }, said);
        await this.record(s, 'sentry.upstream.sent', `${said} (HTTP ${answer.status})`, {
          request: r.what,
          status: answer.status,
          existed: answer.existed,
        });
        return answer;
      }
      if (answer.kind === 'refused') {
        if (o.quietOn404 && answer.status === 404) return answer;
        this.outcome.inc({ request: r.what, outcome: 'refused' });
        const why = `Sentry refused the ${r.what} of ${s.version}: HTTP ${answer.status} ${answer.detail}`.trim();
        this.o.logger.warn({ ...s, status: answer.status }, `${why}; not retried`);
        await this.record(s, 'sentry.upstream.failed', why, { request: r.what, status: answer.status });
        return answer;
      }
      if (this.closed) {
        this.interrupted = true;
        return answer;
      }
      if (attempt >= attempts) {
        this.outcome.inc({ request: r.what, outcome: 'failed' });
        const tried = `after ${attempt} attempts: ${answer.reason}`;
        const why = `could not create the ${r.what} of ${s.version} in Sentry ${tried}`;
        this.o.logger.warn({ ...s, attempts: attempt }, why);
        await this.record(s, 'sentry.upstream.failed', why, { request: r.what, attempts: attempt });
        return answer;
      }
      const delay = answer.afterMs ?? (this.o.backoffMs ?? 1000) * 2 ** (attempt - 1);
      await this.sleep(Math.min(delay, 60_000));
    }
  }

  private said(r: UpstreamRequest, s: Subject, existed: boolean): string {
    if (r.what === 'deploy') return `deploy of ${s.version} to ${s.environment} recorded in Sentry`;
    return `release ${s.version} ${existed ? 'already in' : 'created in'} Sentry (organization ${s.organization})`;
  }

  private async record(s: Subject, kind: string, message: string, data: Record<string, unknown>): Promise<void> {
    await this.o
      .emit?.({
        project: s.project,
        deploymentId: s.deploymentId,
        service: s.service,
        environment: s.environment,
        kind,
        message,
        data: { ...data, version: s.version, organization: s.organization },
      })
      .catch(() => undefined);
  }

  private sleep(ms: number): Promise<void> {
    const signal = this.stopWaits.signal;
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, ms);
      signal.addEventListener('abort', done);
    });
  }
}
