import type { RuntimeEvent } from '../runtimes/runtime.js';
import { messageOf } from '../shared/errors.js';
import { getInstance, swapInstanceStatus, type InstanceRecord } from '../store/repos/instances.js';
import { getRelease } from '../store/repos/releases.js';
import type { EngineDeps } from './context.js';

/**
 * Turns what the runtime reports into the store's instance records, events, and route pushes:
 * an instance that turns unhealthy or crashes leaves the route table at once, and comes back
 * when healthy. Each instance's events are handled one at a time, in order; different instances'
 * at the same time (one queue for all made every deployment's health wait queue behind every other
 * instance's store writes: 2–5 s per step with 20 deployments in flight, bench/scale.ts).
 */
export class InstanceMonitor {
  /** The last queued event of each instance with events still being handled. */
  private readonly queues = new Map<string, Promise<void>>();
  private unsubscribe?: () => void;
  /**
   * While adopting after a restart, state reports are held back: an adopted instance reads
   * `starting` until its first health check, and writing that would pull healthy instances out
   * of the route table for a moment. Recovery syncs the settled states itself.
   */
  private holdStates = false;
  /** Retries waiting to be queued again, cleared by stop(). */
  private readonly retries = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly deps: EngineDeps) {}

  /** Start listening to the runtime; with holdStates, state reports are ignored until release(). */
  start(options: { holdStates?: boolean } = {}): void {
    this.holdStates = Boolean(options.holdStates);
    this.stopped = false;
    this.unsubscribe = this.deps.runtime.subscribe((event) => this.enqueue(event));
  }

  /**
   * Handle `event` after the events of its instance queued before it. A report the store refused is tried again:
   * a runtime reports a state once, so a lost `healthy` left the record `starting` for good, and the deployment
   * waiting on it failed ("only 0 of 1 instances are running after 30s", seen in CI when a starved leader's lease
   * ran out for a moment and the store's fence refused the write).
   */
  private enqueue(event: RuntimeEvent, attempt = 0): void {
    const id = instanceIdOf(event);
    const tail: Promise<void> = (this.queues.get(id) ?? Promise.resolve())
      .then(() => this.handle(event))
      .catch((e) => this.retry(event, attempt, e))
      .finally(() => {
        if (this.queues.get(id) === tail) this.queues.delete(id);
      });
    this.queues.set(id, tail);
  }

  /** Queue `event` again after a backoff; a state report is replaced by the runtime's state by then. */
  private retry(event: RuntimeEvent, attempt: number, error: unknown): void {
    const id = instanceIdOf(event);
    if (this.stopped) {
      this.deps.logger.error({ err: messageOf(error), instance: id }, 'instance event lost: the monitor stopped');
      return;
    }
    const delayMs = Math.min(retryMaxMs, retryFirstMs * 2 ** attempt);
    this.deps.logger.warn(
      { err: messageOf(error), instance: id, event: event.type, retryInMs: delayMs },
      'the store did not take an instance event; trying again',
    );
    const timer = setTimeout(() => {
      this.retries.delete(timer);
      if (this.stopped) return;
      const now = event.type === 'state' ? this.deps.runtime.list().find((s) => s.instanceId === id) : undefined;
      this.enqueue(now ? { type: 'state', status: now } : event, attempt + 1);
    }, delayMs);
    this.retries.add(timer);
  }

  /** Take state reports again (recovery has synced the states). */
  async release(): Promise<void> {
    await this.settled();
    this.holdStates = false;
    // A state reported while held (after recovery read the runtime's list, before now) was dropped: an adopted
    // instance that turned healthy in that moment would stay "starting" in the store for good. Replay the current
    // states; handle() writes and announces only what differs from the store.
    for (const status of this.deps.runtime.list()) this.enqueue({ type: 'state', status });
    await this.settled();
  }

  /** Stop listening and let queued events finish. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.stopped = true;
    for (const timer of this.retries) clearTimeout(timer);
    this.retries.clear();
    await this.settled();
  }

  /** Every event queued so far has been handled. */
  private async settled(): Promise<void> {
    while (this.queues.size > 0) await Promise.all([...this.queues.values()]);
  }

  private async handle(event: RuntimeEvent): Promise<void> {
    const id = instanceIdOf(event);
    switch (event.type) {
      case 'state': {
        if (this.holdStates) return;
        const s = event.status;
        // The record as it was before this report: what changed decides the push and the events.
        const swapped = await swapInstanceStatus(this.deps.db, id, {
          state: s.state,
          restarts: s.restarts,
          message: s.message ?? null,
          address: s.address,
        });
        // Nothing new for the store is nothing new for the routes, the waits or the events either.
        if (!swapped?.changed) return;
        const instance = swapped.before;
        this.deps.instanceChanges?.changed(instance.releaseId);
        // Only when its place in the route table changed: in it or not, or at another address while in it.
        const address = s.address ?? instance.address;
        const was = routedAt(instance.desired, instance.state, instance.address);
        const is = routedAt(instance.desired, s.state, address);
        if (was !== is) this.pushRoutes(instance);
        if (s.state === 'unhealthy' && instance.state !== 'unhealthy')
          await this.emit(
            instance,
            'instance.unhealthy',
            `instance ${id} is failing health checks${s.message ? `: ${s.message}` : ''}`,
            {},
          );
        if (s.state === 'healthy' && instance.state !== 'healthy' && instance.restarts > 0)
          await this.emit(instance, 'instance.recovered', `instance ${id} is healthy again`, { restarts: s.restarts });
        return;
      }
      case 'handle': {
        const swapped = await swapInstanceStatus(this.deps.db, id, {
          handle: event.handle,
          address: event.handle.address,
        });
        if (!swapped?.changed) return;
        const instance = swapped.before;
        this.deps.instanceChanges?.changed(instance.releaseId);
        this.pushRoutes(instance);
        return;
      }
      case 'exit': {
        const instance = await getInstance(this.deps.db, id);
        if (!instance || instance.desired === 'stopped') return;
        const how = event.exit.signal
          ? `signal ${event.exit.signal}`
          : event.exit.code === null
            ? 'an unknown status (it died while the coordinator was down)'
            : `code ${event.exit.code}`;
        const what = event.reason ? `is down: ${event.reason}` : `exited with ${how}`;
        await this.emit(instance, 'instance.crashed', `instance ${id} ${what}; restarting`, {
          exit: event.exit,
          logTail: event.logTail,
          ...(event.reason ? { reason: event.reason } : {}),
        });
        return;
      }
    }
  }

  private pushRoutes(instance: InstanceRecord): void {
    this.deps.traffic.schedule(instance.project, instance.environment, instance.service);
  }

  private async emit(
    instance: InstanceRecord,
    kind: string,
    message: string,
    data: Record<string, unknown>,
  ): Promise<void> {
    const release = await getRelease(this.deps.db, instance.releaseId);
    await this.deps.events.emit({
      project: instance.project,
      deploymentId: instance.deploymentId,
      service: instance.service,
      environment: instance.environment,
      kind,
      message: `${instance.service} ${release?.version ?? ''}: ${message}`,
      data: { instance: instance.id, release: release?.version, ...data },
    });
  }
}

/** Backoff of an instance event the store refused: 250 ms, doubling, at most 5 s apart, for as long as it runs. */
const retryFirstMs = 250;
const retryMaxMs = 5_000;

/**
 * The address an instance is routed at, as readRouteSources decides it (meant to run, healthy, with an address), or
 * undefined when it is not in the route table. A report that leaves this as it was changes no table: an instance
 * reporting `starting` with its first address, or `stopping` once the engine stopped wanting it, was a route push
 * each (bench/scale.ts).
 */
export function routedAt(desired: string, state: string, address: string | undefined): string | undefined {
  return desired === 'running' && state === 'healthy' && address ? address : undefined;
}

function instanceIdOf(event: RuntimeEvent): string {
  return event.type === 'state' ? event.status.instanceId : event.instanceId;
}
