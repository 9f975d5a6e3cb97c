import { SlipwayError } from '../../src/shared/errors.js';
import type {
  InstanceExit,
  InstanceHandle,
  InstanceSpec,
  InstanceState,
  InstanceStatus,
  InstanceUsage,
  LogLine,
  LogOptions,
  Runtime,
  RuntimeEvent,
} from '../../src/runtimes/runtime.js';
import { FakeMachine, type FakeProcess } from './fake-machine.js';

export { FakeMachine } from './fake-machine.js';
export { RecordingRouter } from './fake-router.js';

/**
 * What a newly started process of a release does: `healthy` (default), `starting` (never listens),
 * `unhealthy` (listens, fails its checks), `failed` (exits at once and cannot be restarted),
 * `unstartable` (cannot be spawned: start rejects).
 */
export type FakeOutcome = 'healthy' | 'starting' | 'unhealthy' | 'failed' | 'unstartable';
export interface FakeBehaviour {
  outcome: FakeOutcome;
  /** Ignores the polite stop: stop waits the spec's drain timeout, then forces it. */
  ignoresStop?: boolean;
}

export interface FakeRuntimeOptions {
  /** Share one machine between runtimes to play a coordinator restart (default: a machine of its own). */
  machine?: FakeMachine;
  /** How long a health verdict takes (default 1 ms). */
  healthDelayMs?: number;
  /** Restart backoff after a crash (default 20 ms). */
  restartDelayMs?: number;
  /**
   * Deliver events to subscribers this much later (in order), while list() already tells the truth: plays an
   * instance monitor that lags behind the runtime, as a busy coordinator's does (default 0: at once).
   */
  eventDelayMs?: number;
}

type FakeHandle = InstanceHandle & { runtime: 'fake'; pid: number; port: number; restarts: number };

interface Supervised {
  spec: InstanceSpec;
  status: InstanceStatus;
  /** No state reported yet: the next one is an event whatever it is. */
  fresh: boolean;
  handle: FakeHandle;
  process?: FakeProcess;
  /** Bumped by stop and close: callbacks scheduled before then do nothing. */
  generation: number;
  /** Set when the next restart cannot be spawned: the instance then ends `failed` with this message. */
  restartFailure?: string;
  stopping?: Promise<void>;
}

const handleOf = (p: FakeProcess, restarts: number): FakeHandle => ({
  runtime: 'fake',
  address: `127.0.0.1:${p.port}`,
  pid: p.pid,
  port: p.port,
  restarts,
});

/**
 * The engine's runtime in state-machine tests: in memory, no processes, fast, and controllable
 * (`behaviour`, `setState`, `failHealth`, `crash`). It passes the same contract suite as the local
 * runtime (test/runtime-contract.test.ts), so what the engine tests see is what a real runtime does.
 */
export class FakeRuntime implements Runtime {
  readonly name = 'fake';
  readonly machine: FakeMachine;
  /** Instance ids in the order they were (re)started by start(); repeats of an idempotent start are not. */
  readonly started: string[] = [];
  readonly stopped: string[] = [];
  /** What a newly started process of a spec does; read at every start and restart. */
  behaviour: (spec: InstanceSpec) => FakeOutcome | FakeBehaviour = () => 'healthy';
  private readonly instances = new Map<string, Supervised>();
  private readonly seen = new Set<string>();
  private readonly listeners = new Set<(e: RuntimeEvent) => void>();
  private readonly healthDelayMs: number;
  private readonly eventDelayMs: number;
  private readonly restartDelayMs: number;
  private closed = false;

  constructor(options: FakeRuntimeOptions = {}) {
    this.machine = options.machine ?? new FakeMachine();
    this.healthDelayMs = options.healthDelayMs ?? 1;
    this.restartDelayMs = options.restartDelayMs ?? 20;
    this.eventDelayMs = options.eventDelayMs ?? 0;
  }

  async start(spec: InstanceSpec): Promise<InstanceHandle> {
    this.assertOpen();
    const stopping = this.instances.get(spec.instanceId)?.stopping;
    if (stopping) await stopping; // a start during a stop waits for the stop
    this.assertOpen();
    const existing = this.instances.get(spec.instanceId);
    if (existing && existing.status.state !== 'failed' && !existing.stopping) return { ...existing.handle };
    const behaviour = this.behaviourOf(spec);
    this.started.push(spec.instanceId);
    const entry = this.track(spec, this.machine.port(), 0);
    if (behaviour.outcome === 'unstartable') {
      const message = `command not found: ${spec.command} (service ${spec.service})`;
      this.set(entry, 'failed', { message });
      throw new SlipwayError('failed', message, { instanceId: spec.instanceId, command: spec.command });
    }
    this.launch(entry, behaviour, false);
    return { ...entry.handle };
  }

  async adopt(records: { spec: InstanceSpec; handle: InstanceHandle }[]): Promise<InstanceStatus[]> {
    this.assertOpen();
    for (const { spec, handle } of records) {
      const bad = (field: string, problem: string) =>
        new SlipwayError('invalid_input', `instance ${spec.instanceId}: handle ${field} ${problem}`, { field });
      if (handle.runtime !== this.name) throw bad('runtime', `is ${JSON.stringify(handle.runtime)}, not "fake"`);
      if (typeof handle.pid !== 'number' || typeof handle.port !== 'number')
        throw bad('pid', 'and port must be numbers');
    }
    return records.map(({ spec, handle }) => {
      const existing = this.instances.get(spec.instanceId);
      if (existing && existing.status.state !== 'failed' && !existing.stopping) return { ...existing.status };
      const h = handle as FakeHandle;
      const entry = this.track(spec, h.port, typeof h.restarts === 'number' ? h.restarts : 0);
      entry.handle = { ...h };
      const process = this.machine.running(h.pid);
      if (process) {
        entry.process = process;
        this.machine.watch(process.pid, (exit) => this.exited(entry, process, exit));
        this.set(entry, 'starting', { pid: process.pid });
        this.later(entry, this.healthDelayMs, () => this.check(entry));
      } else {
        this.crashed(
          entry,
          { code: null, signal: null, at: Date.now() },
          'was not running when the coordinator restarted',
        );
      }
      return { ...entry.status };
    });
  }

  async stop(instanceId: string): Promise<void> {
    this.assertOpen();
    const entry = this.instances.get(instanceId);
    if (!entry) return;
    entry.stopping ??= this.shutDown(entry);
    await entry.stopping;
  }

  list(): InstanceStatus[] {
    return [...this.instances.values()].map((e) => ({ ...e.status }));
  }

  /** What `usage` reports per instance (set by tests); a running instance without one uses 32 MiB and no CPU. */
  readonly usages = new Map<string, Omit<InstanceUsage, 'at'>>();

  async usage(instanceId: string): Promise<InstanceUsage | undefined> {
    const state = this.instances.get(instanceId)?.status.state;
    if (!state || !['starting', 'healthy', 'unhealthy'].includes(state)) return undefined;
    return { ...(this.usages.get(instanceId) ?? { cpuSeconds: 0, rssBytes: 32 * 2 ** 20 }), at: Date.now() };
  }

  subscribe(listener: (e: RuntimeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  logs(instanceId: string, options: LogOptions = {}): AsyncIterable<LogLine> {
    if (!this.seen.has(instanceId))
      throw new SlipwayError(
        'not_found',
        `no logs for instance ${instanceId}: this runtime has not started or adopted it`,
      );
    return readLog(this.machine, instanceId, options);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const entry of this.instances.values()) {
      entry.generation++;
      if (entry.process) this.machine.watch(entry.process.pid, undefined);
    }
    this.instances.clear();
    this.listeners.clear();
  }

  /** Change an instance's state as the real runtime would report it (the test plays the health checker). */
  setState(instanceId: string, state: InstanceState, extra: Partial<InstanceStatus> = {}): void {
    const entry = this.instances.get(instanceId);
    if (entry) this.set(entry, state, extra);
  }

  /** Make the instance's health endpoint fail (or pass again); the verdict follows a health check later. */
  failHealth(instanceId: string, failing = true): void {
    const entry = this.instances.get(instanceId);
    if (!entry?.process) return;
    entry.process.failingHealth = failing;
    this.later(entry, this.healthDelayMs, () => this.check(entry));
  }

  /** The instance's process exits unexpectedly; with `restartFailure`, its restart cannot be spawned. */
  crash(instanceId: string, options: { code?: number; restartFailure?: string } = {}): void {
    const entry = this.instances.get(instanceId);
    if (!entry?.process) return;
    entry.restartFailure = options.restartFailure;
    this.machine.kill(entry.process.pid, { code: options.code ?? 3 });
  }

  private behaviourOf(spec: InstanceSpec): FakeBehaviour {
    const b = this.behaviour(spec);
    return typeof b === 'string' ? { outcome: b } : b;
  }

  private track(spec: InstanceSpec, port: number, restarts: number): Supervised {
    this.seen.add(spec.instanceId);
    const entry: Supervised = {
      spec,
      status: { instanceId: spec.instanceId, state: 'starting', address: `127.0.0.1:${port}`, restarts },
      fresh: true,
      handle: { runtime: 'fake', address: `127.0.0.1:${port}`, pid: 0, port, restarts },
      generation: 0,
    };
    this.instances.set(spec.instanceId, entry);
    return entry;
  }

  private launch(entry: Supervised, b: FakeBehaviour, restarted: boolean): void {
    const process = this.machine.spawn(entry.spec.instanceId, {
      port: entry.handle.port,
      listens: b.outcome !== 'starting',
      failingHealth: b.outcome === 'unhealthy',
      ignoresStop: b.ignoresStop ?? false,
    });
    entry.process = process;
    entry.handle = handleOf(process, entry.status.restarts);
    this.machine.watch(process.pid, (exit) => this.exited(entry, process, exit));
    if (restarted) this.emit({ type: 'handle', instanceId: entry.spec.instanceId, handle: { ...entry.handle } });
    const booting = process.listens ? undefined : `nothing listening on port ${process.port} yet`;
    this.set(entry, 'starting', { pid: process.pid, nextRestartAt: undefined, message: booting });
    if (b.outcome === 'failed') {
      entry.restartFailure = 'exited at once and could not be restarted';
      this.later(entry, this.healthDelayMs, () => this.machine.kill(process.pid, { code: 1 }));
    } else this.later(entry, this.healthDelayMs, () => this.check(entry));
  }

  /** One health check: the verdict of the process as it is now. */
  private check(entry: Supervised): void {
    const p = entry.process;
    if (!p?.alive || !p.listens) return;
    if (p.failingHealth)
      this.set(entry, 'unhealthy', { message: `health check GET ${entry.spec.health.path} failed: HTTP 500` });
    else this.set(entry, 'healthy', { message: undefined });
  }

  private exited(entry: Supervised, process: FakeProcess, exit: InstanceExit): void {
    if (entry.process !== process || entry.stopping || this.closed) return;
    entry.process = undefined;
    this.crashed(entry, exit, exit.signal ? `exited on ${exit.signal}` : `exited with code ${exit.code}`);
  }

  private crashed(entry: Supervised, exit: InstanceExit, why: string): void {
    const id = entry.spec.instanceId;
    this.emit({ type: 'exit', instanceId: id, exit, logTail: this.machine.log(id).slice(-20) });
    this.set(entry, 'crashed', {
      pid: undefined,
      lastExit: exit,
      nextRestartAt: exit.at + this.restartDelayMs,
      message: `${why}; restarting in ${this.restartDelayMs}ms`,
    });
    this.later(entry, this.restartDelayMs, () => {
      if (entry.restartFailure)
        return this.set(entry, 'failed', { message: entry.restartFailure, nextRestartAt: undefined });
      entry.status = { ...entry.status, restarts: entry.status.restarts + 1 };
      this.launch(entry, this.behaviourOf(entry.spec), true);
    });
  }

  private async shutDown(entry: Supervised): Promise<void> {
    entry.generation++;
    this.stopped.push(entry.spec.instanceId);
    this.set(entry, 'stopping', { nextRestartAt: undefined });
    const p = entry.process;
    let lastExit = entry.status.lastExit;
    if (p?.alive) {
      this.machine.watch(p.pid, undefined);
      if (p.ignoresStop) await new Promise((r) => setTimeout(r, entry.spec.drainTimeoutMs));
      const signal = p.ignoresStop ? 'SIGKILL' : 'SIGTERM';
      this.machine.kill(p.pid, { signal });
      lastExit = { code: null, signal, at: Date.now() };
    }
    entry.process = undefined;
    this.set(entry, 'stopped', { pid: undefined, lastExit, message: undefined });
    if (this.instances.get(entry.spec.instanceId) === entry) this.instances.delete(entry.spec.instanceId);
  }

  private later(entry: Supervised, ms: number, fn: () => void): void {
    const generation = entry.generation;
    setTimeout(() => {
      if (entry.generation === generation && !this.closed) fn();
    }, ms);
  }

  private set(entry: Supervised, state: InstanceState, extra: Partial<InstanceStatus> = {}): void {
    const changed = entry.fresh || entry.status.state !== state;
    entry.fresh = false;
    entry.status = { ...entry.status, ...extra, state };
    if (changed) this.emit({ type: 'state', status: { ...entry.status } });
  }

  private emit(event: RuntimeEvent): void {
    if (this.eventDelayMs > 0) {
      setTimeout(() => this.deliver(event), this.eventDelayMs);
      return;
    }
    this.deliver(event);
  }

  private deliver(event: RuntimeEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // One listener's bug must not keep the others from their events (as in the local runtime).
      }
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new SlipwayError('unavailable', 'the fake runtime is closed');
  }
}

/** Tail (or everything after a cursor: the line count), then (with follow) every new line until the signal aborts. */
async function* readLog(machine: FakeMachine, instanceId: string, options: LogOptions): AsyncGenerator<LogLine> {
  const lines = machine.log(instanceId);
  let next = options.after !== undefined ? Number(options.after) : Math.max(0, lines.length - (options.tail ?? 100));
  for (;;) {
    while (next < lines.length) {
      const index = next++;
      yield { text: lines[index]!, at: machine.printedTime(instanceId, index), cursor: String(next) };
    }
    if (!options.follow || options.signal?.aborted) return;
    await machine.nextLine(instanceId, options.signal);
  }
}
