import type { Clock } from '../../shared/clock.js';
import { messageOf } from '../../shared/errors.js';
import type { Logger } from '../../shared/logging.js';
import type { InstanceExit, InstanceSpec, InstanceStatus, RuntimeEvent } from '../runtime.js';
import type { BackoffOptions } from '../local/backoff.js';
import { InstanceSupervision } from '../instance-supervision.js';
import { RuntimeError } from '../local/errors.js';
import { runHealthChecks } from '../local/health-checker.js';
import { buildInstanceEnv, substitutePort } from '../local/instance-env.js';
import { tailLines } from '../local/log-reader.js';
import { type RemoteHost, type RemoteProcess, signalOfStatus } from './remote-host.js';
import { sshHandle, type SshHandle } from './ssh-handle.js';

/** What an instance needs from the runtime that owns it. */
export interface SshInstanceContext {
  clock: Clock;
  logger: Logger;
  backoff: BackoffOptions;
  emit(event: RuntimeEvent): void;
  /** The host for a (re)start: `previous` while it answers, else another of the spec's hosts. */
  place(spec: InstanceSpec, previous?: RemoteHost, exclude?: Set<RemoteHost>): RemoteHost;
  allocatePort(host: RemoteHost, instanceId: string): Promise<number>;
  secretEnv(spec: InstanceSpec): Promise<Record<string, string>>;
  /** Remember where the instance's log is now (it moves with the instance). */
  logMoved(instanceId: string, host: RemoteHost): void;
}

interface Run {
  host: RemoteHost;
  pid: number;
  procStart: string;
  port: number;
  health: AbortController;
}

const exitLogLines = 20;
const goneTimeoutMs = 10_000;

/**
 * Supervises one instance on SSH hosts across its process lifetimes, like the local runtime's
 * supervisor: health checks from here to the host's address, exits seen by the host poller,
 * restarts with backoff, on another host when its host stopped answering.
 */
export class SshInstance {
  private readonly s: InstanceSupervision;
  private run: Run | undefined;
  private lastHandle: SshHandle | undefined;
  private spawning: Promise<unknown> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    readonly spec: InstanceSpec,
    private readonly ctx: SshInstanceContext,
  ) {
    this.s = new InstanceSupervision({
      clock: ctx.clock,
      logger: ctx.logger,
      backoff: ctx.backoff,
      changed: () => this.ctx.emit({ type: 'state', status: this.status() }),
    });
  }

  /** First start on a host the runtime places it on. */
  async launch(): Promise<SshHandle> {
    const spawning = this.spawnSomewhere();
    this.spawning = spawning;
    try {
      const run = await spawning;
      if (this.s.ended) {
        await run.host.signal(this.spec.instanceId, 'KILL').catch(() => undefined);
        throw new RuntimeError('conflict', `instance ${this.spec.instanceId} was stopped while starting`);
      }
      this.begin(run, false);
      this.s.set('starting');
      return this.lastHandle!;
    } catch (err) {
      if (!this.s.ended) this.s.set('failed', messageOf(err));
      throw err;
    }
  }

  /** Take over a live process an earlier coordinator started. */
  adoptLive(handle: SshHandle, host: RemoteHost): void {
    this.s.restarts = handle.restarts;
    this.placedOn = host;
    const { pid, procStart, port } = handle;
    this.begin({ host, pid, procStart, port, health: new AbortController() }, true);
    this.s.set('starting');
  }

  /** Its process is gone (or its host is not answering): report the exit and restart it. */
  async adoptDead(handle: SshHandle, host: RemoteHost, exit: InstanceExit, why: string): Promise<void> {
    this.s.restarts = handle.restarts;
    this.lastHandle = handle;
    this.lastHost = host;
    this.placedOn = host;
    await this.crashed(exit, why, host);
  }

  handle(): SshHandle | undefined {
    return this.lastHandle;
  }

  /** The host and port it holds (for port allocation), while it is not over. */
  held(): { host: string; port: number } | undefined {
    if (this.s.over || !this.lastHandle) return undefined;
    return { host: this.lastHandle.host, port: this.lastHandle.port };
  }

  /** The host it runs on now (or ran on last). */
  hostLabel(): string | undefined {
    return this.placedOn?.label ?? this.lastHandle?.host;
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

  /** The host and pid of its running process, for resource reads (undefined while it has none). */
  process(): { host: RemoteHost; pid: number } | undefined {
    return this.run ? { host: this.run.host, pid: this.run.pid } : undefined;
  }

  isActive(): boolean {
    return this.stopping === undefined && !this.s.over;
  }

  /** What the host poller saw on `host` (undefined: the host does not know the instance). */
  observe(host: RemoteHost, process: RemoteProcess | undefined): void {
    const run = this.run;
    if (!run || run.host !== host || this.stopping) return;
    if (process && (process.pid !== run.pid || process.alive)) return;
    const code = process?.exitCode ?? null;
    const signal = signalOfStatus(code);
    const exit: InstanceExit = { code: signal ? null : code, signal, at: this.ctx.clock.now() };
    void this.onExit(run, exit, signal ? `exited on ${signal}` : `exited with code ${code ?? 'unknown'}`);
  }

  /** The host stopped answering: count the instance down and start it elsewhere. */
  hostLost(host: RemoteHost, why: string): void {
    const run = this.run;
    if (!run || run.host !== host || this.stopping) return;
    this.ctx.logger.warn({ instanceId: this.spec.instanceId, host: host.label }, 'host lost');
    void this.onExit(run, { code: null, signal: null, at: this.ctx.clock.now() }, why);
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutDown();
    return this.stopping;
  }

  detach(): void {
    this.s.end();
    this.run?.health.abort();
  }

  private lastHost: RemoteHost | undefined;
  /** The host chosen for the current (or pending) process. */
  private placedOn: RemoteHost | undefined;

  /** Try the hosts in placement order: one that does not answer is skipped (its line kept for the error). */
  private async spawnSomewhere(previous?: RemoteHost): Promise<Run> {
    const tried = new Set<RemoteHost>();
    const problems: string[] = [];
    for (;;) {
      let host: RemoteHost;
      try {
        host = this.ctx.place(this.spec, previous, tried);
      } catch (err) {
        if (problems.length === 0) throw err;
        throw new RuntimeError('unavailable', problems.join('; '), { instanceId: this.spec.instanceId });
      }
      this.placedOn = host; // counted on that host from now, so concurrent starts spread out
      try {
        return await this.spawnOn(host);
      } catch (err) {
        if (!(err instanceof RuntimeError) || err.code !== 'unavailable' || this.s.ended) throw err;
        this.ctx.logger.warn({ host: host.label, err: err.message }, 'host did not take the instance; trying another');
        problems.push(err.message);
        tried.add(host);
      }
    }
  }

  private async spawnOn(host: RemoteHost): Promise<Run> {
    const id = this.spec.instanceId;
    const cwd = await host.ship(this.spec.cwd);
    const port = await this.ctx.allocatePort(host, id);
    const secrets = await this.ctx.secretEnv(this.spec);
    // The host's environment comes from its own login, not the coordinator's: start from none.
    const env = buildInstanceEnv(this.spec, port, {}, secrets);
    env.SLIPWAY_LISTEN_HOST = host.address.host;
    env.SLIPWAY_HOST = host.label;
    const args = substitutePort(this.spec.args, port);
    const { pid, procStart } = await host.launch({
      instanceId: id,
      runDir: host.runDir(id),
      cwd,
      command: this.spec.command,
      args,
      env,
    });
    this.ctx.logMoved(id, host);
    return { host, pid, procStart, port, health: new AbortController() };
  }

  private begin(run: Run, adopted: boolean): void {
    this.run = run;
    this.lastHost = run.host;
    this.lastHandle = sshHandle(run.host, run, this.s.restarts);
    runHealthChecks({
      host: run.host.address.host,
      port: run.port,
      check: this.spec.health,
      clock: this.ctx.clock,
      signal: run.health.signal,
      adopted,
      onVerdict: (verdict, detail) => {
        if (this.run !== run || run.health.signal.aborted) return;
        if (verdict === 'healthy') return this.s.set('healthy');
        // Failing probes are often a process that just exited: ask its host first, so a crash is reported as one.
        void this.stillRunning(run).then((running) => {
          if (running && this.run === run && !run.health.signal.aborted) this.s.set('unhealthy', detail);
        });
      },
      onBooting: (detail) => {
        if (this.run === run && this.s.state === 'starting') this.s.message = `${detail} yet`;
      },
    }).catch((err) => this.ctx.logger.error({ err: messageOf(err) }, 'health checks stopped'));
  }

  /** Whether the run's process is alive on its host; an exit found here is handled at once. */
  private async stillRunning(run: Run): Promise<boolean> {
    let found: RemoteProcess | undefined;
    try {
      found = (await run.host.status()).get(this.spec.instanceId);
    } catch {
      return true; // the host poller decides about a host that does not answer
    }
    if (found && (found.pid !== run.pid || found.alive)) return true;
    this.observe(run.host, found);
    return false;
  }

  private async onExit(run: Run, exit: InstanceExit, why: string): Promise<void> {
    if (this.run !== run || this.stopping || this.s.ended) return;
    run.health.abort();
    this.run = undefined;
    await this.crashed(exit, why, run.host);
  }

  private async crashed(exit: InstanceExit, why: string, host: RemoteHost): Promise<void> {
    this.s.lastExit = exit;
    const logTail = await tailLines(host.logFile(this.spec.instanceId), exitLogLines, host.logs).catch(() => []);
    this.ctx.emit({
      type: 'exit',
      instanceId: this.spec.instanceId,
      exit,
      logTail,
      reason: `${why} (host ${host.label})`,
    });
    if (!this.s.ended) this.s.scheduleRestart(exit.at, `${why} (host ${host.label})`, this.restart);
  }

  private readonly restart = async (): Promise<void> => {
    const restarting = this.spawnSomewhere(this.lastHost);
    this.spawning = restarting;
    let run: Run;
    try {
      run = await restarting;
    } catch (err) {
      // A host problem, not the release's, is tried again later (on a host that answers).
      if (!this.s.ended) this.s.restartFailed(err, err instanceof RuntimeError && err.code === 'failed', this.restart);
      return;
    }
    if (this.s.ended) {
      await run.host.signal(this.spec.instanceId, 'KILL').catch(() => undefined);
      return;
    }
    this.s.restarted();
    this.begin(run, false);
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
      await this.terminate(run).catch((err) =>
        this.ctx.logger.warn({ err: messageOf(err), host: run.host.label }, 'could not stop the instance on its host'),
      );
      this.run = undefined;
    }
    this.s.stopped();
  }

  /** SIGTERM, the drain timeout, SIGKILL; resolves once the host reports the process gone. */
  private async terminate(run: Run): Promise<void> {
    const id = this.spec.instanceId;
    const gone = async () => {
      const p = (await run.host.status()).get(id);
      return !p || p.pid !== run.pid || !p.alive;
    };
    await run.host.signal(id, 'TERM');
    const drainUntil = this.ctx.clock.now() + this.spec.drainTimeoutMs;
    while (this.ctx.clock.now() < drainUntil) {
      if (await gone()) return;
      await this.ctx.clock.sleep(Math.min(100, Math.max(1, drainUntil - this.ctx.clock.now())));
    }
    await run.host.signal(id, 'KILL');
    const until = this.ctx.clock.now() + goneTimeoutMs;
    while (!(await gone()) && this.ctx.clock.now() < until) await this.ctx.clock.sleep(50);
  }
}
