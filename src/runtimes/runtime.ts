/**
 * A runtime starts, supervises and stops the instances of a release. The local runtime
 * (detached child processes on this machine) is the embedded default; SSH hosts and
 * Kubernetes come later behind the same interface. Every runtime, and the fake the engine
 * tests use, passes the contract suite in runtime.contract.ts.
 *
 * The engine owns the records: it persists the handle `start` returns (and the ones `handle`
 * events report after a restart) and passes them back to `adopt` after a coordinator restart.
 * A runtime keeps no state the engine cannot give back to it.
 *
 * Life of an instance (each change is a `state` event):
 *
 *     start ─▶ starting ─▶ healthy ⇄ unhealthy          (health checks; no restart for unhealthy)
 *                 │           │          │
 *                 └───────────┴──────────┴─▶ crashed ─▶ starting   (unexpected exit: `exit` event,
 *                                               │                   restart after a backoff, `handle` event)
 *                                               └─▶ failed          (the restart cannot be spawned)
 *     start that cannot spawn ─▶ failed (and start rejects)
 *     stop (from any state) ─▶ stopping ─▶ stopped, then the instance leaves list()
 *
 * What goes wrong with an instance (health, crashes, exits) is data: states and events, never
 * an exception. Methods reject only when the runtime cannot do what was asked, with a
 * SlipwayError whose code says why: `failed` (cannot spawn), `invalid_input` (bad spec or
 * handle, naming the field), `not_found` (logs of an instance it never saw), `unavailable`
 * (the runtime is closed or its host unreachable).
 */

import type { InstanceHandle, InstanceSpec, LogLine } from '../model/instance.js';

export type { HealthCheck, InstanceHandle, InstanceSpec, LogLine } from '../model/instance.js';

export type InstanceState =
  | 'starting' // spawned, not yet healthy
  | 'healthy'
  | 'unhealthy' // running but failing health checks
  | 'crashed' // exited unexpectedly; a restart is scheduled (see restarts / nextRestartAt)
  | 'failed' // cannot be started at all (command not found, cwd missing); no restart
  | 'stopping'
  | 'stopped';

export interface InstanceExit {
  code: number | null;
  signal: string | null;
  at: number;
}

export interface InstanceStatus {
  instanceId: string;
  state: InstanceState;
  /** host:port the instance serves on. */
  address: string;
  pid?: number;
  /** Restarts after crashes since the instance was first started. */
  restarts: number;
  lastExit?: InstanceExit;
  nextRestartAt?: number;
  /** Why it is failed / unhealthy, for people. */
  message?: string;
}

export type RuntimeEvent =
  | { type: 'state'; status: InstanceStatus }
  /** The handle changed (new pid or port after a restart): the engine must persist it. */
  | { type: 'handle'; instanceId: string; handle: InstanceHandle }
  /** The process exited unexpectedly; `logTail` holds the last lines of its log. */
  | {
      type: 'exit';
      instanceId: string;
      exit: InstanceExit;
      logTail: string[];
      /** Why, when the runtime knows more than the exit status (an SSH host that stopped answering, named). */
      reason?: string;
    };

/** What a running instance uses, read at one moment. */
export interface InstanceUsage {
  /** CPU time (user + system) since the process started, in seconds: a rate needs two reads. */
  cpuSeconds: number;
  /** Resident memory in bytes (the process and its children). */
  rssBytes: number;
  /** When it was read, ms since the epoch. */
  at: number;
}

export interface LogOptions {
  /** Last N lines first (default 100); ignored with `after`. */
  tail?: number;
  /** Keep streaming new lines until `signal` aborts. */
  follow?: boolean;
  /** Only lines after the line with this cursor (from an earlier read): follow on without gaps or repeats. */
  after?: string;
  signal?: AbortSignal;
}

export interface Runtime {
  /** Which runtime this is ("local"); stored with each instance and in every handle it returns. */
  readonly name: string;

  /**
   * Start an instance and supervise it (health checks, restart with backoff after a crash).
   * Blocks until the process is spawned (state `starting`), never until it is healthy.
   * Idempotent per instanceId: starting a starting or running instance, even concurrently,
   * returns its current handle. Rejects (code `failed`, naming the command or directory) when
   * it cannot be spawned; the instance is then listed `failed`.
   */
  start(spec: InstanceSpec): Promise<InstanceHandle>;

  /**
   * Re-attach to instances recorded by an earlier coordinator. Live ones are supervised again
   * (`starting` until their first health check); dead ones are reported (an `exit` event) and
   * restarted like a crash. Idempotent: adopting a supervised instance returns its status.
   * Checks every record first and rejects (`invalid_input`) before adopting any when one is
   * not its own. Blocks only for that bookkeeping, not for health checks.
   */
  adopt(records: { spec: InstanceSpec; handle: InstanceHandle }[]): Promise<InstanceStatus[]>;

  /**
   * Ask the instance to finish (SIGTERM), force it (SIGKILL) after its drain timeout, and stop
   * supervising: no restart follows. Resolves once the process is gone. Idempotent; unknown
   * ids are a no-op; a stop during a start waits for the start. May block up to the drain timeout.
   */
  stop(instanceId: string): Promise<void>;

  /** Current status of every supervised instance (`failed` ones included, stopped ones not). Never blocks. */
  list(): InstanceStatus[];

  /**
   * Subscribe to events, delivered in order, synchronously when they happen; returns the
   * unsubscribe function. A listener that throws does not keep the others from their events.
   */
  subscribe(listener: (event: RuntimeEvent) => void): () => void;

  /**
   * The instance's log lines (stdout and stderr interleaved), each with when it was written and a
   * cursor, also after it stopped. Without `follow` the iteration ends at the end of the log; with
   * it, it blocks for new lines until `signal` aborts; `after` resumes right after a cursor. Fails
   * with `not_found` for an instance this runtime never started or adopted.
   */
  logs(instanceId: string, options?: LogOptions): AsyncIterable<LogLine>;

  /**
   * CPU time and resident memory of a running instance (starting, healthy or unhealthy), read now;
   * undefined for one that is not running or that this runtime does not supervise. Never rejects:
   * a read that fails is undefined too. Blocks only for the read (the local runtime reads /proc).
   */
  usage(instanceId: string): Promise<InstanceUsage | undefined>;

  /**
   * Stop supervising without stopping instances (coordinator shutdown): they keep running for
   * the next coordinator to adopt. Idempotent; afterwards start, adopt and stop reject (`unavailable`).
   */
  close(): Promise<void>;
}
