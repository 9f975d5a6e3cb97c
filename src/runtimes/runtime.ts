/**
 * A runtime starts, supervises and stops the instances of a release. The local runtime
 * (detached child processes on this machine) is the embedded default; SSH hosts and
 * Kubernetes come later behind the same interface.
 *
 * The engine owns the records: it persists the handle `start` returns (and the ones `handle`
 * events report after a restart) and passes them back to `adopt` after a coordinator restart.
 * A runtime keeps no state the engine cannot give back to it.
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
  | { type: 'exit'; instanceId: string; exit: InstanceExit; logTail: string[] };

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
  /** Which runtime this is ("local"); stored with each instance. */
  readonly name: string;

  /**
   * Start an instance and supervise it (health checks, restart with backoff after a crash).
   * Resolves once the process is spawned, not when healthy. Idempotent per instanceId:
   * starting a running instance returns its current handle. Rejects with RuntimeError when it
   * cannot be spawned (command not found, cwd missing); the instance is then `failed`.
   */
  start(spec: InstanceSpec): Promise<InstanceHandle>;

  /**
   * Re-attach to instances recorded by an earlier coordinator. Live ones are supervised again;
   * dead ones are reported (an `exit` event) and restarted like a crash. Idempotent.
   */
  adopt(records: { spec: InstanceSpec; handle: InstanceHandle }[]): Promise<InstanceStatus[]>;

  /** SIGTERM → drain timeout → SIGKILL, and stop supervising. Idempotent; may block up to the drain timeout. */
  stop(instanceId: string): Promise<void>;

  /** Current status of every supervised instance. Never blocks. */
  list(): InstanceStatus[];

  /** Subscribe to state changes; returns the unsubscribe function. */
  subscribe(listener: (event: RuntimeEvent) => void): () => void;

  /** The instance's log lines (stdout and stderr interleaved), each with its time and cursor. */
  logs(instanceId: string, options?: LogOptions): AsyncIterable<LogLine>;

  /** Stop supervising without stopping instances (coordinator shutdown). Idempotent. */
  close(): Promise<void>;
}
