/**
 * Sends what the dispatcher wrote: due deliveries are claimed one attempt at a time, with at most
 * `concurrency` in flight per notification service and a timeout per attempt, so a dead or hanging
 * endpoint holds only its own slots — never a deployment, never another endpoint. The outcome of
 * each delivery is also an event (notification.sent / notification.failed) without URLs or tokens.
 */
import type { NotificationsConfig, ProjectConfig } from '../config/model.js';
import { messageOf } from '../shared/errors.js';
import type { Logger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import type { NewEvent } from '../store/repos/events.js';
import {
  claimDeliveries,
  dueDeliveries,
  finishAttempt,
  getNotifyRef,
  type NotifyDelivery,
  releaseInterrupted,
  setNotifyRef,
} from '../store/repos/notify-deliveries.js';
import { getProject } from '../store/repos/projects.js';
import { retryDelay } from './backoff.js';
import type { NotificationMessage } from './message.js';
import { plainServiceFields, sentMessage } from './outcome.js';
import { scrub } from './scrub.js';
import type { NotificationSender, ResolvedService, SendOutcome } from './sender.js';

export interface WorkerOptions {
  db: Db;
  /** By notification service type. */
  senders: Record<string, NotificationSender>;
  /** The secrets of an environment, by name (the vault); never logged. */
  secretsFor(project: string, environment: string): Promise<Record<string, string>>;
  /** Record an event (EventLog.emit). */
  emit(event: NewEvent): Promise<unknown>;
  logger: Logger;
  /** Counted in /metrics. */
  onOutcome?(targetType: string, outcome: 'sent' | 'retry' | 'failed'): void;
  /** How often to look for due deliveries when nothing wakes the worker. */
  pollMs?: number;
}

/** Config fields that are not secret names. */
const plainFields = new Set(['type', 'from', 'to', ...plainServiceFields]);

export class DeliveryWorker {
  private readonly inflight = new Map<string, number>();
  private readonly limits = new Map<string, number>();
  private readonly secrets = new Map<string, { values: Record<string, string>; at: number }>();
  private readonly attempts = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private readonly configs = new Map<string, { config?: ProjectConfig; at: number }>();
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: WorkerOptions) {}

  /** Start sending; deliveries a stopped coordinator left mid-send are sent again first. */
  async start(): Promise<void> {
    const released = await releaseInterrupted(this.options.db);
    if (released > 0) this.options.logger.info({ released }, 'notifications interrupted mid-send will be sent again');
    this.loop = this.run();
  }

  /** Look for due deliveries now (the dispatcher wrote some). */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Stop: attempts in flight are aborted and left pending for the next start. */
  async close(): Promise<void> {
    this.stopping.abort(new Error('the coordinator is stopping'));
    this.wake();
    await this.loop;
    await Promise.allSettled([...this.attempts]);
  }

  private async run(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      try {
        await this.pass();
      } catch (e) {
        if (!this.stopping.signal.aborted) this.options.logger.error({ err: messageOf(e) }, 'notification pass failed');
      }
      // A wake during the pass (an attempt ended, the dispatcher wrote) runs the next pass at once.
      if (this.woken) {
        this.woken = false;
        await new Promise((r) => setImmediate(r));
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.pollMs ?? 250);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = undefined;
      this.woken = false;
    }
  }

  private async pass(): Promise<void> {
    const busy = [...this.inflight].filter(([slot, n]) => n >= this.limitOf(slot)).map(([slot]) => slot);
    const picked: number[] = [];
    const planned = new Map<string, number>();
    for (const d of await dueDeliveries(this.options.db, new Date(), 100, busy)) {
      const slot = `${d.project ?? ''}/${d.target}`;
      const config = await this.configOf(d.project);
      this.limits.set(slot, config?.notifications?.concurrency ?? 4);
      const taken = (this.inflight.get(slot) ?? 0) + (planned.get(slot) ?? 0);
      if (taken >= this.limitOf(slot)) continue;
      planned.set(slot, (planned.get(slot) ?? 0) + 1);
      picked.push(d.id);
    }
    if (this.stopping.signal.aborted) return;
    for (const d of await claimDeliveries(this.options.db, picked)) {
      const slot = `${d.project ?? ''}/${d.target}`;
      this.inflight.set(slot, (this.inflight.get(slot) ?? 0) + 1);
      const attempt = this.attempt(d, await this.configOf(d.project)).finally(() => {
        this.inflight.set(slot, (this.inflight.get(slot) ?? 1) - 1);
        this.attempts.delete(attempt);
        this.wake();
      });
      this.attempts.add(attempt);
    }
  }

  /**
   * Secrets of an environment, kept in memory for a few seconds: a burst of deliveries decrypts
   * them once, and a secret changed with `slipway secrets set` is used within that time.
   */
  private async secretsOf(project: string, environment: string): Promise<Record<string, string>> {
    const key = `${project}/${environment}`;
    const cached = this.secrets.get(key);
    if (cached && Date.now() - cached.at < 5000) return cached.values;
    const values = await this.options.secretsFor(project, environment);
    this.secrets.set(key, { values, at: Date.now() });
    return values;
  }

  private limitOf(slot: string): number {
    return this.limits.get(slot) ?? 4;
  }

  private async configOf(project: string | undefined): Promise<ProjectConfig | undefined> {
    if (!project) return undefined;
    const cached = this.configs.get(project);
    if (cached && Date.now() - cached.at < 2000) return cached.config;
    const config = (await getProject(this.options.db, project))?.config;
    this.configs.set(project, { config, at: Date.now() });
    return config;
  }

  private async attempt(d: NotifyDelivery, config: ProjectConfig | undefined): Promise<void> {
    const n = config?.notifications;
    const secrets: string[] = [];
    let outcome: SendOutcome;
    try {
      outcome = n ? await this.send(d, config, n, secrets) : gone(d);
    } catch (e) {
      outcome = { kind: 'retry', error: messageOf(e) };
    }
    if (this.stopping.signal.aborted && outcome.kind !== 'sent') {
      // Not the receiver's fault: the next start sends it again, without counting this attempt against it.
      await finishAttempt(this.options.db, d.id, { state: 'pending', nextAt: new Date() }).catch(() => undefined);
      return;
    }
    const error = 'error' in outcome ? scrub(outcome.error, secrets) : undefined;
    const retry = n?.retry ?? { attempts: 1, backoffMs: 1000, maxBackoffMs: 1000 };
    const giveUp = outcome.kind === 'failed' || (outcome.kind === 'retry' && d.attempts >= retry.attempts);
    const state = outcome.kind === 'sent' ? 'sent' : giveUp ? 'failed' : 'pending';
    await finishAttempt(this.options.db, d.id, {
      state,
      ...(outcome.status ? { status: outcome.status } : {}),
      ...(error ? { error } : {}),
      ...(state === 'pending' ? { nextAt: new Date(Date.now() + retryDelay(d.attempts, retry)) } : {}),
    });
    this.options.onOutcome?.(d.targetType, state === 'pending' ? 'retry' : state);
    if (state === 'pending') return;
    await this.options.emit({
      ...(d.project ? { project: d.project } : {}),
      ...(d.environment ? { environment: d.environment } : {}),
      ...(d.service ? { service: d.service } : {}),
      ...(d.deploymentId ? { deploymentId: d.deploymentId } : {}),
      kind: state === 'sent' ? 'notification.sent' : 'notification.failed',
      message:
        state === 'sent'
          ? sentMessage(outcome, `${d.target} (${d.targetType}): ${String(d.message.title)}`)
          : `could not notify ${d.target} (${d.targetType}) after ${d.attempts} attempt(s): ${error}`,
      data: {
        delivery: d.id,
        key: d.key,
        trigger: d.trigger,
        target: d.target,
        type: d.targetType,
        event: d.eventId,
        attempts: d.attempts,
        ...(outcome.status ? { status: outcome.status } : {}),
        ...(error ? { error } : {}),
        ...(d.renderError ? { renderError: d.renderError } : {}),
      },
    });
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
    const signal = AbortSignal.any([AbortSignal.timeout(n.timeoutMs), this.stopping.signal]);
    const target = d.target;
    return sender.send({
      message: d.message as unknown as NotificationMessage,
      key: d.key,
      service: resolved,
      signal,
      refs: {
        get: (refKey) => getNotifyRef(this.options.db, target, refKey),
        set: (refKey, value) => setNotifyRef(this.options.db, target, refKey, value),
      },
    });
  }
}

function gone(d: NotifyDelivery): SendOutcome {
  return { kind: 'failed', error: `notification service "${d.target}" is no longer in the config of ${d.project}` };
}
