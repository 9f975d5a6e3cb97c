import type { Clock } from '../../shared/clock.js';
import { messageOf } from '../../shared/errors.js';
import type { Logger } from '../../shared/logging.js';
import type { InstanceExit, InstanceSpec, InstanceState, InstanceStatus, RuntimeEvent } from '../runtime.js';
import { RestartBackoff, type BackoffOptions } from './backoff.js';
import { RuntimeError } from './errors.js';
import { watchExit, type ExitWatch } from './exit-watcher.js';
import { localHandle, type LocalHandle } from './handle.js';
import { runHealthChecks } from './health-checker.js';
import { tailLines } from './log-reader.js';
import { noteLogTime } from './log-times.js';
import { loopback } from './port.js';
import { spawnInstance } from './spawn.js';
import { killLeftovers, terminate, type RunningProcess } from './termination.js';

/** What a supervisor needs from the runtime that owns it. */
export interface SupervisorContext {
  clock: Clock;
  logger: Logger;
  backoff: BackoffOptions;
  emit(event: RuntimeEvent): void;
  /** A port for a (re)start: `preferred` when it is still free. */
  allocatePort(preferred?: number): Promise<number>;
  /** Secret variables for a process about to start, resolved at every (re)start and held only for the spawn. */
  secretEnv(spec: InstanceSpec): Promise<Record<string, string>>;
}

/** Lines of log attached to an `exit` event. */
const exitLogLines = 20;
/** How often a running instance's log is checked for growth, to time its lines (log-times.ts). */
const logTimeEveryMs = 1000;

/** One process lifetime of the instance; a restart is a new run. */
interface Run {
  process: RunningProcess;
  exit: ExitWatch;
  health: AbortController;
}

function describeExit(exit: InstanceExit): string {
  if (exit.signal) return `exited on ${exit.signal}`;
  if (exit.code !== null) return `exited with code ${exit.code}`;
  return 'exited (code unknown: it was not our child)';
}

/**
 * Supervises one instance across its process lifetimes: health checks, exit detection,
 * restart with backoff after a crash, and a graceful stop. Emits a `state` event on every
 * state change, `handle` when a restart changes pid or port, `exit` on an unexpected exit.
 */
export class InstanceSupervisor {
  private state: InstanceState | undefined;
  private message: string | undefined;
  private restarts = 0;
  private port = 0;
  private lastExit: InstanceExit | undefined;
  private nextRestartAt: number | undefined;
  private healthySince: number | undefined;
  /** The log's size at its last time note. */
  private loggedBytes = 0;
  private run: Run | undefined;
  private lastHandle: LocalHandle | undefined;
  private spawning: Promise<unknown> | undefined;
  private stopping: Promise<void> | undefined;
  private readonly backoff: RestartBackoff;
  private readonly logger: Logger;
  /** Aborted by stop() and detach(): no restart may begin after it. */
  private readonly lifecycle = new AbortController();

  constructor(
    readonly spec: InstanceSpec,
    readonly logFile: string,
    private readonly ctx: SupervisorContext,
  ) {
    this.backoff = new RestartBackoff(ctx.backoff);
    this.logger = ctx.logger.child({ instanceId: spec.instanceId, service: spec.service });
  }

  /** Spawn the first process on `port`. Rejects with RuntimeError (state `failed`) if it cannot start. */
  async launch(port: number): Promise<LocalHandle> {
    this.port = port;
    const spawning = this.ctx
      .secretEnv(this.spec)
      .then((secrets) => spawnInstance(this.spec, port, this.logFile, this.ctx.clock.now(), secrets));
    this.spawning = spawning;
    try {
      const spawned = await spawning;
      if (this.lifecycle.signal.aborted) {
        // stop() or close() arrived while spawning: nobody will know this process, so end it.
        killLeftovers(spawned, this.logger);
        throw new RuntimeError('conflict', `instance ${this.spec.instanceId} was stopped while starting`);
      }
      this.begin(spawned, false);
      this.setState('starting');
      return this.lastHandle!;
    } catch (err) {
      if (!this.lifecycle.signal.aborted) this.setState('failed', messageOf(err));
      throw err;
    }
  }

  /** Take over a live process recorded by an earlier coordinator. */
  adoptLive(handle: LocalHandle): void {
    this.restarts = handle.restarts;
    this.begin({ pid: handle.pid, pgid: handle.pgid, procStart: handle.procStart, port: handle.port }, true);
    this.setState('starting');
  }

  /** A recorded process is gone: report its exit and restart it like a crash. */
  async adoptDead(handle: LocalHandle): Promise<void> {
    this.restarts = handle.restarts;
    this.port = handle.port;
    this.lastHandle = handle;
    await this.crashed(
      { code: null, signal: null, at: this.ctx.clock.now() },
      'was not running when the coordinator restarted',
    );
  }

  /** The current handle (the last process's, while a restart is pending). */
  handle(): LocalHandle | undefined {
    return this.lastHandle;
  }

  /** Current state; never blocks. */
  status(): InstanceStatus {
    return {
      instanceId: this.spec.instanceId,
      state: this.state ?? 'starting',
      address: `${loopback}:${this.port}`,
      pid: this.run?.process.pid,
      restarts: this.restarts,
      lastExit: this.lastExit,
      nextRestartAt: this.nextRestartAt,
      message: this.message,
    };
  }

  /** The port this instance holds (or will reuse on restart), unless it is over. */
  heldPort(): number | undefined {
    return this.state === 'stopped' || this.state === 'failed' ? undefined : this.port;
  }

  /** Whether start() should hand back this instance instead of starting a new one. */
  isActive(): boolean {
    return this.stopping === undefined && this.state !== 'failed' && this.state !== 'stopped';
  }

  /** SIGTERM the group, wait the drain timeout, SIGKILL; no restart afterwards. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.shutDown();
    return this.stopping;
  }

  /** About once a second while this process runs: when its log grew, note the size and the time (log-times.ts). */
  private async noteLogTimes(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      this.loggedBytes = await noteLogTime(this.logFile, this.loggedBytes, this.ctx.clock.now()).catch(
        () => this.loggedBytes,
      );
      await this.ctx.clock.sleep(logTimeEveryMs, signal).catch(() => undefined);
    }
  }

  /** Stop supervising and leave the process running (coordinator shutdown). */
  detach(): void {
    this.lifecycle.abort();
    this.run?.health.abort();
    this.run?.exit.cancel();
  }

  private begin(process: RunningProcess, adopted: boolean): void {
    process.child?.on('error', (err) => this.logger.warn({ err: messageOf(err) }, 'instance process error'));
    const run: Run = { process, exit: watchExit(process, this.ctx.clock), health: new AbortController() };
    this.run = run;
    this.port = process.port;
    this.lastHandle = localHandle(process, this.logFile, this.restarts);
    void run.exit.exited.then((exit) => this.onExit(run, exit));
    void this.noteLogTimes(run.health.signal);
    runHealthChecks({
      port: process.port,
      check: this.spec.health,
      clock: this.ctx.clock,
      signal: run.health.signal,
      adopted,
      onVerdict: (verdict, detail) => {
        if (this.run === run && !run.health.signal.aborted)
          this.setState(verdict, verdict === 'unhealthy' ? detail : undefined);
      },
      onBooting: (detail) => {
        if (this.run === run && this.state === 'starting') this.message = `${detail} yet`;
      },
    }).catch((err) => this.logger.error({ err: messageOf(err) }, 'health checks stopped'));
  }

  private async onExit(run: Run, exit: InstanceExit): Promise<void> {
    if (this.run !== run || this.stopping || this.lifecycle.signal.aborted) return;
    run.health.abort();
    this.run = undefined;
    killLeftovers(run.process, this.logger);
    await this.crashed(exit, describeExit(exit));
  }

  private async crashed(exit: InstanceExit, why: string): Promise<void> {
    this.lastExit = exit;
    const logTail = await tailLines(this.logFile, exitLogLines).catch(() => []);
    this.ctx.emit({ type: 'exit', instanceId: this.spec.instanceId, exit, logTail });
    this.logger.warn({ exit }, 'instance exited unexpectedly');
    if (!this.lifecycle.signal.aborted) this.scheduleRestart(exit.at, why);
  }

  /** Count the delay from `since` (the exit), so nextRestartAt - lastExit.at is exactly the backoff. */
  private scheduleRestart(since: number, why: string): void {
    this.endHealthyStretch();
    const delay = this.backoff.nextDelay();
    this.nextRestartAt = since + delay;
    this.setState('crashed', `${why}; restarting in ${delay}ms`);
    const wait = Math.max(0, this.nextRestartAt - this.ctx.clock.now());
    this.ctx.clock.sleep(wait, this.lifecycle.signal).then(
      () => this.restart().catch((err) => this.logger.error({ err: messageOf(err) }, 'restart crashed')),
      () => undefined, // stopped or closed before the restart was due
    );
  }

  private async restart(): Promise<void> {
    const restarting = (async () => {
      const port = await this.ctx.allocatePort(this.port);
      if (this.lifecycle.signal.aborted) return undefined;
      const secrets = await this.ctx.secretEnv(this.spec);
      if (this.lifecycle.signal.aborted) return undefined;
      return spawnInstance(this.spec, port, this.logFile, this.ctx.clock.now(), secrets);
    })();
    this.spawning = restarting;
    let spawned: Awaited<typeof restarting>;
    try {
      spawned = await restarting;
    } catch (err) {
      if (this.lifecycle.signal.aborted) return;
      if (err instanceof RuntimeError) return this.setState('failed', `restart failed: ${err.message}`);
      // Not the release's fault (e.g. out of file descriptors): try again later.
      this.logger.error({ err: messageOf(err) }, 'restart failed; will retry');
      return this.scheduleRestart(this.ctx.clock.now(), `restart failed (${messageOf(err)})`);
    }
    if (!spawned) return;
    if (this.lifecycle.signal.aborted) {
      killLeftovers(spawned, this.logger); // stopped or closed meanwhile: nobody would know this process
      return;
    }
    this.restarts++;
    this.nextRestartAt = undefined;
    this.begin(spawned, false);
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
      this.lastExit =
        (await terminate(run.process, run.exit, this.spec.drainTimeoutMs, this.ctx.clock, this.logger)) ??
        this.lastExit;
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
