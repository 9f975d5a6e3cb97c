import type { Clock } from '../../shared/clock.js';
import { messageOf } from '../../shared/errors.js';
import type { Logger } from '../../shared/logging.js';
import type { InstanceExit, InstanceSpec, InstanceStatus, RuntimeEvent } from '../runtime.js';
import type { BackoffOptions } from './backoff.js';
import { InstanceSupervision } from '../instance-supervision.js';
import { RuntimeError } from './errors.js';
import { watchExit, type ExitWatch } from './exit-watcher.js';
import { localHandle, type LocalHandle } from './handle.js';
import { runHealthChecks } from './health-checker.js';
import { tailLines } from './log-reader.js';
import { noteLogEnd, noteLogTime } from './log-times.js';
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
  /** Variables of the coordinator's own environment that are Slipway's secrets: not inherited (read at each start). */
  withheldEnv(): ReadonlySet<string>;
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
  private readonly s: InstanceSupervision;
  private port = 0;
  /** The log's size at its last time note. */
  private loggedBytes = 0;
  private run: Run | undefined;
  private lastHandle: LocalHandle | undefined;
  private spawning: Promise<unknown> | undefined;
  private stopping: Promise<void> | undefined;
  private readonly logger: Logger;

  constructor(
    readonly spec: InstanceSpec,
    readonly logFile: string,
    private readonly ctx: SupervisorContext,
  ) {
    this.logger = ctx.logger.child({ instanceId: spec.instanceId, service: spec.service });
    this.s = new InstanceSupervision({
      clock: ctx.clock,
      logger: this.logger,
      backoff: ctx.backoff,
      changed: () => this.ctx.emit({ type: 'state', status: this.status() }),
    });
  }

  /** Spawn the first process on `port`. Rejects with RuntimeError (state `failed`) if it cannot start. */
  async launch(port: number): Promise<LocalHandle> {
    this.port = port;
    const spawning = this.ctx
      .secretEnv(this.spec)
      .then((secrets) =>
        spawnInstance(this.spec, port, this.logFile, this.ctx.clock.now(), secrets, this.ctx.withheldEnv()),
      );
    this.spawning = spawning;
    try {
      const spawned = await spawning;
      if (this.s.ended) {
        // stop() or close() arrived while spawning: nobody will know this process, so end it.
        killLeftovers(spawned, this.logger);
        throw new RuntimeError('conflict', `instance ${this.spec.instanceId} was stopped while starting`);
      }
      this.begin(spawned, false);
      this.s.set('starting');
      return this.lastHandle!;
    } catch (err) {
      if (!this.s.ended) this.s.set('failed', messageOf(err));
      throw err;
    }
  }

  /** Take over a live process recorded by an earlier coordinator. */
  adoptLive(handle: LocalHandle): void {
    this.s.restarts = handle.restarts;
    this.begin({ pid: handle.pid, pgid: handle.pgid, procStart: handle.procStart, port: handle.port }, true);
    this.s.set('starting');
  }

  /** A recorded process is gone: report its exit and restart it like a crash. */
  async adoptDead(handle: LocalHandle): Promise<void> {
    this.s.restarts = handle.restarts;
    this.port = handle.port;
    this.lastHandle = handle;
    await this.noteLogEnd();
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
      state: this.s.state ?? 'starting',
      address: `${loopback}:${this.port}`,
      pid: this.run?.process.pid,
      restarts: this.s.restarts,
      lastExit: this.s.lastExit,
      nextRestartAt: this.s.nextRestartAt,
      message: this.s.message,
    };
  }

  /** The port this instance holds (or will reuse on restart), unless it is over. */
  heldPort(): number | undefined {
    return this.s.over ? undefined : this.port;
  }

  /** Whether start() should hand back this instance instead of starting a new one. */
  isActive(): boolean {
    return this.stopping === undefined && !this.s.over;
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

  /** A process ended: note when its log was last written, so its last words keep their time (log-times.ts). */
  private async noteLogEnd(): Promise<void> {
    this.loggedBytes = await noteLogEnd(this.logFile, this.loggedBytes, this.ctx.clock.now()).catch(
      () => this.loggedBytes,
    );
  }

  /** Stop supervising and leave the process running (coordinator shutdown). */
  detach(): void {
    this.s.end();
    this.run?.health.abort();
    this.run?.exit.cancel();
  }

  private begin(process: RunningProcess, adopted: boolean): void {
    process.child?.on('error', (err) => this.logger.warn({ err: messageOf(err) }, 'instance process error'));
    const run: Run = { process, exit: watchExit(process, this.ctx.clock), health: new AbortController() };
    this.run = run;
    this.port = process.port;
    this.lastHandle = localHandle(process, this.logFile, this.s.restarts);
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
          this.s.set(verdict, verdict === 'unhealthy' ? detail : undefined);
      },
      onBooting: (detail) => {
        if (this.run === run && this.s.state === 'starting') this.s.message = `${detail} yet`;
      },
    }).catch((err) => this.logger.error({ err: messageOf(err) }, 'health checks stopped'));
  }

  private async onExit(run: Run, exit: InstanceExit): Promise<void> {
    if (this.run !== run || this.stopping || this.s.ended) return;
    run.health.abort();
    this.run = undefined;
    killLeftovers(run.process, this.logger);
    await this.noteLogEnd();
    await this.crashed(exit, describeExit(exit));
  }

  private async crashed(exit: InstanceExit, why: string): Promise<void> {
    this.s.lastExit = exit;
    const logTail = await tailLines(this.logFile, exitLogLines).catch(() => []);
    this.ctx.emit({ type: 'exit', instanceId: this.spec.instanceId, exit, logTail });
    this.logger.warn({ exit }, 'instance exited unexpectedly');
    if (!this.s.ended) this.s.scheduleRestart(exit.at, why, this.restart);
  }

  private readonly restart = async (): Promise<void> => {
    const restarting = (async () => {
      const port = await this.ctx.allocatePort(this.port);
      if (this.s.ended) return undefined;
      const secrets = await this.ctx.secretEnv(this.spec);
      if (this.s.ended) return undefined;
      return spawnInstance(this.spec, port, this.logFile, this.ctx.clock.now(), secrets, this.ctx.withheldEnv());
    })();
    this.spawning = restarting;
    let spawned: Awaited<typeof restarting>;
    try {
      spawned = await restarting;
    } catch (err) {
      if (this.s.ended) return;
      // Not the release's fault (e.g. out of file descriptors): tried again later.
      if (!(err instanceof RuntimeError)) this.logger.error({ err: messageOf(err) }, 'restart failed; will retry');
      this.s.restartFailed(err, err instanceof RuntimeError, this.restart);
      return;
    }
    if (!spawned) return;
    if (this.s.ended) {
      killLeftovers(spawned, this.logger); // stopped or closed meanwhile: nobody would know this process
      return;
    }
    this.s.restarted();
    this.begin(spawned, false);
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
      this.s.lastExit =
        (await terminate(run.process, run.exit, this.spec.drainTimeoutMs, this.ctx.clock, this.logger)) ??
        this.s.lastExit;
      this.run = undefined;
      await this.noteLogEnd();
    }
    this.s.stopped();
  }
}
