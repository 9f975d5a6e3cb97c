import { systemClock, type Clock } from '../../shared/clock.js';
import { silentLogger, type Logger } from '../../shared/logging.js';
import type {
  InstanceHandle,
  InstanceSpec,
  InstanceStatus,
  InstanceUsage,
  LogLine,
  LogOptions,
  Runtime,
  RuntimeEvent,
} from '../runtime.js';
import { defaultBackoff, type BackoffOptions } from './backoff.js';
import { RuntimeError } from './errors.js';
import { parseLocalHandle } from './handle.js';
import { InstanceTable } from '../instance-table.js';
import { InstanceSupervisor, type SupervisorContext } from './instance-supervisor.js';
import { instanceLogFile } from './log-file.js';
import { readLogLines } from './log-reader.js';
import { findFreePort, reusePortOrFind, type PortRange } from './port.js';
import { isProcessAlive } from './process-identity.js';
import { validateSpec } from './spec-validation.js';
import { readProcUsage } from './proc-usage.js';

/** Options for {@link LocalRuntime}. */
export interface LocalRuntimeOptions {
  /** Instance logs go to `<logDir>/<environment>/<service>/<instanceId>.log`. */
  logDir: string;
  clock?: Clock;
  logger?: Logger;
  /** Default: 1 s doubling to 30 s, reset after 60 s healthy. */
  restartBackoff?: { initialMs: number; maxMs: number; resetAfterMs?: number };
  /**
   * The environment's secrets, asked for at every process start (first start, restart after a
   * crash, restart of an adopted instance that had died). They go into the process environment
   * only, never into the spec or handle the engine persists, so adopting a live instance needs
   * none. A rejection fails that start like a spawn error.
   */
  secretEnv?: (spec: InstanceSpec) => Promise<Record<string, string>>;
  /**
   * Variables of the coordinator's environment that hold Slipway's own secrets (`triggers.github.secret: env:NAME`),
   * kept out of what instances inherit; read at every start, so a config reload counts.
   */
  withheldEnv?: () => ReadonlySet<string>;
  /** The loopback ports instances may listen on (runtime.ports); absent: any free port. */
  ports?: PortRange;
}

/**
 * The embedded default runtime: each instance is a detached child process on a free loopback
 * port. Instances outlive the coordinator; a restarted coordinator re-attaches with `adopt()`.
 *
 * @example
 * const runtime = new LocalRuntime({ logDir: '/var/lib/slipway/logs' });
 * runtime.subscribe((event) => console.log(event));
 * const handle = await runtime.start(spec); // { runtime: 'local', address: '127.0.0.1:41234', pid, ... }
 */
export class LocalRuntime implements Runtime {
  readonly name = 'local';
  private readonly table: InstanceTable<InstanceSupervisor>;
  /** Log files of every instance seen, so logs() works after an instance stopped. */
  private readonly logFiles = new Map<string, string>();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly backoff: BackoffOptions;

  constructor(private readonly options: LocalRuntimeOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.backoff = { ...defaultBackoff, ...options.restartBackoff };
    this.table = new InstanceTable('the local runtime', this.logger);
  }

  /** Spawn and supervise; resolves once spawned. Idempotent per instanceId. */
  async start(spec: InstanceSpec): Promise<InstanceHandle> {
    this.table.assertOpen();
    validateSpec(spec);
    return this.table.start(spec.instanceId, () => this.startFresh(spec));
  }

  /** Re-attach to recorded instances; dead ones get an `exit` event and a restart. Idempotent. */
  async adopt(records: { spec: InstanceSpec; handle: InstanceHandle }[]): Promise<InstanceStatus[]> {
    this.table.assertOpen();
    // Check every record first, so one bad record adopts nothing rather than half.
    const parsed = records.map(({ spec, handle }) => ({
      spec: validateSpec(spec),
      handle: parseLocalHandle(handle, spec.instanceId),
    }));
    const statuses: InstanceStatus[] = [];
    for (const { spec, handle } of parsed) {
      const existing = this.table.active(spec.instanceId);
      if (existing) {
        statuses.push(existing.status());
        continue;
      }
      const supervisor = this.supervise(spec, handle.logFile);
      if (isProcessAlive(handle)) supervisor.adoptLive(handle);
      else await supervisor.adoptDead(handle);
      this.logger.info(
        { instanceId: spec.instanceId, pid: handle.pid, state: supervisor.status().state },
        'adopted instance',
      );
      statuses.push(supervisor.status());
    }
    return statuses;
  }

  /** Stop gracefully and stop supervising. Idempotent; unknown ids are a no-op. */
  stop(instanceId: string): Promise<void> {
    return this.table.stop(instanceId);
  }

  list(): InstanceStatus[] {
    return this.table.list();
  }

  /** CPU and resident memory of a running instance and its children, from /proc. */
  async usage(instanceId: string): Promise<InstanceUsage | undefined> {
    const status = this.table.instances.get(instanceId)?.status();
    if (!status?.pid || !['starting', 'healthy', 'unhealthy'].includes(status.state)) return undefined;
    return readProcUsage(status.pid, this.clock.now());
  }

  subscribe(listener: (event: RuntimeEvent) => void): () => void {
    return this.table.subscribe(listener);
  }

  /** Log lines of an instance this runtime has seen, even if its process is gone. */
  logs(instanceId: string, options: LogOptions = {}): AsyncIterable<LogLine> {
    const file = this.logFiles.get(instanceId);
    if (!file)
      throw new RuntimeError(
        'not_found',
        `no logs for instance ${instanceId}: this runtime has not started or adopted it`,
        { instanceId },
      );
    return readLogLines(file, { ...options, clock: this.clock });
  }

  /** Stop supervising; instances keep running for the next coordinator to adopt. Idempotent. */
  async close(): Promise<void> {
    this.table.close();
  }

  private async startFresh(spec: InstanceSpec): Promise<InstanceHandle> {
    const supervisor = this.supervise(spec, instanceLogFile(this.options.logDir, spec));
    const handle = await supervisor.launch(await this.allocatePort(spec.instanceId));
    this.logger.info(
      { instanceId: spec.instanceId, service: spec.service, pid: handle.pid, address: handle.address },
      'started instance',
    );
    return handle;
  }

  private supervise(spec: InstanceSpec, logFile: string): InstanceSupervisor {
    const context: SupervisorContext = {
      clock: this.clock,
      logger: this.logger,
      backoff: this.backoff,
      emit: (event) => this.table.emit(event),
      allocatePort: (preferred) => this.allocatePort(spec.instanceId, preferred),
      secretEnv: this.options.secretEnv ?? (async () => ({})),
      withheldEnv: this.options.withheldEnv ?? (() => new Set()),
    };
    const supervisor = new InstanceSupervisor(spec, logFile, context);
    this.table.instances.set(spec.instanceId, supervisor);
    this.logFiles.set(spec.instanceId, logFile);
    return supervisor;
  }

  /** Ports handed to other instances may not be bound yet; never give them out twice. */
  private allocatePort(instanceId: string, preferred?: number): Promise<number> {
    const taken = new Set<number>();
    for (const [id, supervisor] of this.table.instances) {
      const port = supervisor.heldPort();
      if (id !== instanceId && port) taken.add(port);
    }
    return preferred ? reusePortOrFind(preferred, taken, this.options.ports) : findFreePort(taken, this.options.ports);
  }
}
