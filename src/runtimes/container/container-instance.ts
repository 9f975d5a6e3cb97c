import type { Clock } from '../../shared/clock.js';
import { messageOf } from '../../shared/errors.js';
import type { Logger } from '../../shared/logging.js';
import type { InstanceExit, InstanceSpec, InstanceStatus, RuntimeEvent } from '../runtime.js';
import type { BackoffOptions } from '../local/backoff.js';
import { InstanceSupervision } from '../instance-supervision.js';
import { RuntimeError } from '../local/errors.js';
import { runHealthChecks } from '../local/health-checker.js';
import type { ContainerHandle } from './container-handle.js';
import { type ContainerRun, type Containers, exitOf } from './containers.js';

/** What an instance needs from the runtime that owns it. */
export interface ContainerInstanceContext {
  clock: Clock;
  logger: Logger;
  backoff: BackoffOptions;
  containers: Containers;
  emit(event: RuntimeEvent): void;
}

interface Run extends ContainerRun {
  health: AbortController;
}

const exitLogLines = 20;
const goneTimeoutMs = 10_000;

/**
 * Supervises one instance in a container, like the local runtime's supervisor: health checks to
 * the published address, exits seen by the runtime's poll of the engine, restarts with backoff
 * (the same container started again, so its log goes on), stop with drain.
 */
export class ContainerInstance {
  private readonly s: InstanceSupervision;
  private run: Run | undefined;
  private lastHandle: ContainerHandle | undefined;
  /** The container the instance's log is in (kept after it stops). */
  containerId: string | undefined;
  private spawning: Promise<unknown> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    readonly spec: InstanceSpec,
    private readonly ctx: ContainerInstanceContext,
  ) {
    this.s = new InstanceSupervision({
      clock: ctx.clock,
      logger: ctx.logger,
      backoff: ctx.backoff,
      changed: () => this.ctx.emit({ type: 'state', status: this.status() }),
    });
  }

  /** First start; `restarts` carries on the count of an instance moved here from a host that stopped answering. */
  async launch(restarts = 0): Promise<ContainerHandle> {
    this.s.restarts = restarts;
    const spawning = this.ctx.containers.create(this.spec);
    this.spawning = spawning;
    try {
      const run = await spawning;
      this.containerId = run.containerId;
      if (this.s.ended) {
        await this.ctx.containers.kill(run.containerId).catch(() => undefined);
        throw new RuntimeError('conflict', `instance ${this.spec.instanceId} was stopped while starting`);
      }
      this.begin({ ...run, health: new AbortController() }, false);
      this.s.set('starting');
      return this.lastHandle!;
    } catch (err) {
      if (!this.s.ended) this.s.set('failed', messageOf(err));
      throw err;
    }
  }

  adoptLive(handle: ContainerHandle, port: number): void {
    this.s.restarts = handle.restarts;
    this.containerId = handle.containerId;
    const { containerId, startedAt, pid } = handle;
    this.begin({ containerId, startedAt, pid, port, health: new AbortController() }, true);
    this.s.set('starting');
  }

  async adoptDead(handle: ContainerHandle, exit: InstanceExit, why: string): Promise<void> {
    this.s.restarts = handle.restarts;
    this.lastHandle = handle;
    this.containerId = handle.containerId;
    await this.crashed(exit, why);
  }

  handle(): ContainerHandle | undefined {
    return this.lastHandle;
  }

  status(): InstanceStatus {
    return {
      instanceId: this.spec.instanceId,
      state: this.s.state ?? 'starting',
      address: this.lastHandle?.address ?? '',
      pid: this.run?.pid,
      restarts: this.s.restarts,
      lastExit: this.s.lastExit,
      nextRestartAt: this.s.nextRestartAt,
      message: this.s.message,
    };
  }

  /** The container of the running process (undefined while it has none). */
  running(): string | undefined {
    return this.run?.containerId;
  }

  isActive(): boolean {
    return this.stopping === undefined && !this.s.over;
  }

  /** What the runtime's poll saw: whether the run's container still runs (undefined: it is gone). */
  observe(running: boolean | undefined): void {
    const run = this.run;
    if (!run || this.stopping || running) return;
    void this.exitedNow(run);
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutDown();
    return this.stopping;
  }

  detach(): void {
    this.s.end();
    this.run?.health.abort();
  }

  private async exitedNow(run: Run): Promise<void> {
    const state = await this.ctx.containers.state(run.containerId).catch(() => undefined);
    if (state?.running && state.startedAt === run.startedAt) return;
    const exit = exitOf(state, this.ctx.clock.now());
    const why = state
      ? exit.signal
        ? `exited on ${exit.signal}`
        : `exited with code ${exit.code ?? 'unknown'}`
      : 'its container was removed';
    await this.onExit(run, exit, why);
  }

  private begin(run: Run, adopted: boolean): void {
    this.run = run;
    this.lastHandle = {
      runtime: 'container',
      address: `${this.ctx.containers.host}:${run.port}`,
      containerId: run.containerId,
      startedAt: run.startedAt,
      pid: run.pid,
      restarts: this.s.restarts,
    };
    runHealthChecks({
      host: this.ctx.containers.host,
      port: run.port,
      check: this.spec.health,
      clock: this.ctx.clock,
      signal: run.health.signal,
      adopted,
      onVerdict: (verdict, detail) => {
        if (this.run !== run || run.health.signal.aborted) return;
        if (verdict === 'healthy') return this.s.set('healthy');
        // Failing probes are often a process that just exited: ask the engine first, so a crash is reported as one.
        void this.ctx.containers.state(run.containerId).then(
          (s) => {
            if (this.run !== run || run.health.signal.aborted) return;
            if (s?.running && s.startedAt === run.startedAt) this.s.set('unhealthy', detail);
            else void this.exitedNow(run);
          },
          () => undefined,
        );
      },
      onBooting: (detail) => {
        if (this.run === run && this.s.state === 'starting') this.s.message = `${detail} yet`;
      },
    }).catch((err) => this.ctx.logger.error({ err: messageOf(err) }, 'health checks stopped'));
  }

  private async onExit(run: Run, exit: InstanceExit, why: string): Promise<void> {
    if (this.run !== run || this.stopping || this.s.ended) return;
    run.health.abort();
    this.run = undefined;
    await this.crashed(exit, why);
  }

  private async crashed(exit: InstanceExit, why: string): Promise<void> {
    this.s.lastExit = exit;
    const logTail = this.containerId
      ? await this.ctx.containers.tail(this.containerId, exitLogLines).catch(() => [])
      : [];
    this.ctx.emit({ type: 'exit', instanceId: this.spec.instanceId, exit, logTail, reason: why });
    if (!this.s.ended) this.s.scheduleRestart(exit.at, why, this.restart);
  }

  private readonly restart = async (): Promise<void> => {
    const restarting = this.ctx.containers.restart(this.spec, this.containerId);
    this.spawning = restarting;
    let run: ContainerRun;
    try {
      run = await restarting;
    } catch (err) {
      // The engine not answering is tried again later.
      if (!this.s.ended) this.s.restartFailed(err, err instanceof RuntimeError && err.code === 'failed', this.restart);
      return;
    }
    this.containerId = run.containerId;
    if (this.s.ended) {
      await this.ctx.containers.kill(run.containerId).catch(() => undefined);
      return;
    }
    this.s.restarted();
    this.begin({ ...run, health: new AbortController() }, false);
    this.ctx.emit({ type: 'handle', instanceId: this.spec.instanceId, handle: this.lastHandle! });
    this.s.set('starting');
  };

  private async shutDown(): Promise<void> {
    this.s.end();
    await this.spawning?.catch(() => undefined);
    this.s.set('stopping');
    const run = this.run;
    if (run) {
      run.health.abort();
      await this.ctx.containers
        .terminate(run.containerId, this.spec.drainTimeoutMs, goneTimeoutMs)
        .catch((err) => this.ctx.logger.warn({ err: messageOf(err) }, 'could not stop the container'));
      this.run = undefined;
    }
    this.s.stopped();
  }
}
