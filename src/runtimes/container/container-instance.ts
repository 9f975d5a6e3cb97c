import type { Clock } from '../../shared/clock.js';
import { messageOf } from '../../shared/errors.js';
import type { Logger } from '../../shared/logging.js';
import type { InstanceExit, InstanceSpec, InstanceState, InstanceStatus, RuntimeEvent } from '../runtime.js';
import { RestartBackoff, type BackoffOptions } from '../local/backoff.js';
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
  private state: InstanceState | undefined;
  private message: string | undefined;
  private restarts = 0;
  private lastExit: InstanceExit | undefined;
  private nextRestartAt: number | undefined;
  private healthySince: number | undefined;
  private run: Run | undefined;
  private lastHandle: ContainerHandle | undefined;
  /** The container the instance's log is in (kept after it stops). */
  containerId: string | undefined;
  private spawning: Promise<unknown> | undefined;
  private stopping: Promise<void> | undefined;
  private readonly backoff: RestartBackoff;
  private readonly lifecycle = new AbortController();

  constructor(
    readonly spec: InstanceSpec,
    private readonly ctx: ContainerInstanceContext,
  ) {
    this.backoff = new RestartBackoff(ctx.backoff);
  }

  async launch(): Promise<ContainerHandle> {
    const spawning = this.ctx.containers.create(this.spec);
    this.spawning = spawning;
    try {
      const run = await spawning;
      this.containerId = run.containerId;
      if (this.lifecycle.signal.aborted) {
        await this.ctx.containers.kill(run.containerId).catch(() => undefined);
        throw new RuntimeError('conflict', `instance ${this.spec.instanceId} was stopped while starting`);
      }
      this.begin({ ...run, health: new AbortController() }, false);
      this.setState('starting');
      return this.lastHandle!;
    } catch (err) {
      if (!this.lifecycle.signal.aborted) this.setState('failed', messageOf(err));
      throw err;
    }
  }

  adoptLive(handle: ContainerHandle, port: number): void {
    this.restarts = handle.restarts;
    this.containerId = handle.containerId;
    const { containerId, startedAt, pid } = handle;
    this.begin({ containerId, startedAt, pid, port, health: new AbortController() }, true);
    this.setState('starting');
  }

  async adoptDead(handle: ContainerHandle, exit: InstanceExit, why: string): Promise<void> {
    this.restarts = handle.restarts;
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
      state: this.state ?? 'starting',
      address: this.lastHandle?.address ?? '',
      pid: this.run?.pid,
      restarts: this.restarts,
      lastExit: this.lastExit,
      nextRestartAt: this.nextRestartAt,
      message: this.message,
    };
  }

  /** The container of the running process (undefined while it has none). */
  running(): string | undefined {
    return this.run?.containerId;
  }

  isActive(): boolean {
    return this.stopping === undefined && this.state !== 'failed' && this.state !== 'stopped';
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
    this.lifecycle.abort();
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
      restarts: this.restarts,
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
        if (verdict === 'healthy') return this.setState('healthy');
        // Failing probes are often a process that just exited: ask the engine first, so a crash is reported as one.
        void this.ctx.containers.state(run.containerId).then(
          (s) => {
            if (this.run !== run || run.health.signal.aborted) return;
            if (s?.running && s.startedAt === run.startedAt) this.setState('unhealthy', detail);
            else void this.exitedNow(run);
          },
          () => undefined,
        );
      },
      onBooting: (detail) => {
        if (this.run === run && this.state === 'starting') this.message = `${detail} yet`;
      },
    }).catch((err) => this.ctx.logger.error({ err: messageOf(err) }, 'health checks stopped'));
  }

  private async onExit(run: Run, exit: InstanceExit, why: string): Promise<void> {
    if (this.run !== run || this.stopping || this.lifecycle.signal.aborted) return;
    run.health.abort();
    this.run = undefined;
    await this.crashed(exit, why);
  }

  private async crashed(exit: InstanceExit, why: string): Promise<void> {
    this.lastExit = exit;
    const logTail = this.containerId
      ? await this.ctx.containers.tail(this.containerId, exitLogLines).catch(() => [])
      : [];
    this.ctx.emit({ type: 'exit', instanceId: this.spec.instanceId, exit, logTail, reason: why });
    if (!this.lifecycle.signal.aborted) this.scheduleRestart(exit.at, why);
  }

  private scheduleRestart(since: number, why: string): void {
    this.endHealthyStretch();
    const delay = this.backoff.nextDelay();
    this.nextRestartAt = since + delay;
    this.setState('crashed', `${why}; restarting in ${delay}ms`);
    const wait = Math.max(0, this.nextRestartAt - this.ctx.clock.now());
    this.ctx.clock.sleep(wait, this.lifecycle.signal).then(
      () => this.restart().catch((err) => this.ctx.logger.error({ err: messageOf(err) }, 'restart crashed')),
      () => undefined,
    );
  }

  private async restart(): Promise<void> {
    const restarting = this.ctx.containers.restart(this.spec, this.containerId);
    this.spawning = restarting;
    let run: ContainerRun;
    try {
      run = await restarting;
    } catch (err) {
      if (this.lifecycle.signal.aborted) return;
      if (err instanceof RuntimeError && err.code === 'failed')
        return this.setState('failed', `restart failed: ${err.message}`);
      // The engine did not answer: try again later.
      return this.scheduleRestart(this.ctx.clock.now(), `restart failed (${messageOf(err)})`);
    }
    this.containerId = run.containerId;
    if (this.lifecycle.signal.aborted) {
      await this.ctx.containers.kill(run.containerId).catch(() => undefined);
      return;
    }
    this.restarts++;
    this.nextRestartAt = undefined;
    this.begin({ ...run, health: new AbortController() }, false);
    this.ctx.emit({ type: 'handle', instanceId: this.spec.instanceId, handle: this.lastHandle! });
    this.setState('starting');
  }

  private async shutDown(): Promise<void> {
    this.lifecycle.abort();
    await this.spawning?.catch(() => undefined);
    this.setState('stopping');
    const run = this.run;
    if (run) {
      run.health.abort();
      await this.ctx.containers
        .terminate(run.containerId, this.spec.drainTimeoutMs, goneTimeoutMs)
        .catch((err) => this.ctx.logger.warn({ err: messageOf(err) }, 'could not stop the container'));
      this.run = undefined;
    }
    this.nextRestartAt = undefined;
    this.setState('stopped');
  }

  private endHealthyStretch(): void {
    if (this.healthySince !== undefined) this.backoff.healthyFor(this.ctx.clock.now() - this.healthySince);
    this.healthySince = undefined;
  }

  private setState(state: InstanceState, message?: string): void {
    this.message = message;
    if (state === this.state) return;
    if (this.state === 'healthy') this.endHealthyStretch();
    if (state === 'healthy') this.healthySince = this.ctx.clock.now();
    this.state = state;
    this.ctx.emit({ type: 'state', status: this.status() });
  }
}
