/** What to run. Built by the engine from the release; `{port}` in args is replaced by the runtime. */
export interface InstanceSpec {
  instanceId: string;
  project: string;
  service: string;
  environment: string;
  /** The release version this instance runs. */
  release: string;
  command: string;
  args: string[];
  /** Absolute working directory. */
  cwd: string;
  /** Release env; the runtime adds PORT, SLIPWAY_INSTANCE, SLIPWAY_SERVICE, SLIPWAY_ENVIRONMENT, SLIPWAY_RELEASE. */
  env: Record<string, string>;
  health: HealthCheck;
  /** SIGTERM → wait this long for exit → SIGKILL. */
  drainTimeoutMs: number;
}

export interface HealthCheck {
  /** HTTP path probed with GET; 2xx/3xx is healthy. */
  path: string;
  intervalMs: number;
  timeoutMs: number;
  /** Consecutive successes before `healthy`. */
  healthyThreshold: number;
  /** Consecutive failures before `unhealthy`. */
  unhealthyThreshold: number;
}

/** Opaque to the engine, JSON-serialisable; enough for the runtime to find the instance again. */
export type InstanceHandle = Record<string, unknown> & { runtime: string; address: string };

/** One line of an instance's log. */
export interface LogLine {
  text: string;
  /** When it was written (ms since epoch), as precisely as the runtime knows (the local runtime: about a second). */
  at: number;
  /** Opaque position just after this line, for `LogOptions.after`. */
  cursor: string;
}
