import type { InstanceExit } from '../../src/runtimes/runtime.js';

/** A process a fake runtime "spawned"; like a detached child, it outlives the runtime that started it. */
export interface FakeProcess {
  pid: number;
  port: number;
  instanceId: string;
  alive: boolean;
  /** It never listens: health checks find nothing (a slow boot). */
  listens: boolean;
  /** Its health endpoint answers errors. */
  failingHealth: boolean;
  /** It ignores the polite stop signal: only the forced one ends it. */
  ignoresStop: boolean;
}

/**
 * The machine fake runtimes run on: processes and log files outlive any one runtime, so a second
 * FakeRuntime on the same machine is what a restarted coordinator is. Tests act on it as the
 * outside world would (a process crashes, is killed, prints a line).
 */
export class FakeMachine {
  private nextPid = 1000;
  private nextPort = 20000;
  private readonly processes = new Map<number, FakeProcess>();
  private readonly exitWatchers = new Map<number, (exit: InstanceExit) => void>();
  private readonly logs = new Map<string, string[]>();
  /** When each line of a log was printed (ms since epoch), index for index. */
  private readonly printedAt = new Map<string, number[]>();
  private readonly logWaiters = new Map<string, Set<() => void>>();

  /** A port no other process of this machine was given. */
  port(): number {
    return this.nextPort++;
  }

  /** Start a process for an instance; `port` is reused on a restart. */
  spawn(instanceId: string, options: Partial<Omit<FakeProcess, 'pid' | 'instanceId' | 'alive'>> = {}): FakeProcess {
    const process: FakeProcess = {
      pid: this.nextPid++,
      port: options.port ?? this.nextPort++,
      instanceId,
      alive: true,
      listens: options.listens ?? true,
      failingHealth: options.failingHealth ?? false,
      ignoresStop: options.ignoresStop ?? false,
    };
    this.processes.set(process.pid, process);
    this.print(instanceId, `fake: started pid ${process.pid} on port ${process.port}`);
    return process;
  }

  /** The live process with this pid, if any. */
  running(pid: unknown): FakeProcess | undefined {
    const process = typeof pid === 'number' ? this.processes.get(pid) : undefined;
    return process?.alive ? process : undefined;
  }

  /** End a process (a crash, a signal); whoever watches it hears of the exit. */
  kill(pid: number, how: { code?: number | null; signal?: string | null } = { signal: 'SIGKILL' }): void {
    const process = this.processes.get(pid);
    if (!process?.alive) return;
    process.alive = false;
    const watcher = this.exitWatchers.get(pid);
    this.exitWatchers.delete(pid);
    watcher?.({ code: how.code ?? null, signal: how.signal ?? null, at: Date.now() });
  }

  /** Be told when the process exits (one watcher per process: its supervisor); undefined stops watching. */
  watch(pid: number, onExit: ((exit: InstanceExit) => void) | undefined): void {
    if (onExit) this.exitWatchers.set(pid, onExit);
    else this.exitWatchers.delete(pid);
  }

  /** Append a line to an instance's log. */
  print(instanceId: string, line: string): void {
    const lines = this.logs.get(instanceId) ?? [];
    lines.push(line);
    this.logs.set(instanceId, lines);
    const times = this.printedAt.get(instanceId) ?? [];
    times.push(Date.now());
    this.printedAt.set(instanceId, times);
    const waiters = this.logWaiters.get(instanceId);
    this.logWaiters.delete(instanceId);
    for (const wake of waiters ?? []) wake();
  }

  /** An instance's log lines so far (the same array, growing). */
  log(instanceId: string): string[] {
    const lines = this.logs.get(instanceId) ?? [];
    this.logs.set(instanceId, lines);
    return lines;
  }

  /** When line `index` of an instance's log was printed. */
  printedTime(instanceId: string, index: number): number {
    return this.printedAt.get(instanceId)?.[index] ?? Date.now();
  }

  /** Resolve at the next line printed for the instance, or when `signal` aborts. */
  nextLine(instanceId: string, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const waiters = this.logWaiters.get(instanceId) ?? new Set();
      const wake = () => {
        signal?.removeEventListener('abort', wake);
        waiters.delete(wake);
        resolve();
      };
      waiters.add(wake);
      this.logWaiters.set(instanceId, waiters);
      signal?.addEventListener('abort', wake, { once: true });
    });
  }
}
