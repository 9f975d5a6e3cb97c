import type Docker from 'dockerode';
import { systemClock, type Clock } from '../../shared/clock.js';
import { messageOf } from '../../shared/errors.js';
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
import { defaultBackoff, type BackoffOptions } from '../local/backoff.js';
import { RuntimeError } from '../local/errors.js';
import { validateSpec } from '../local/spec-validation.js';
import { parseContainerHandle } from './container-handle.js';
import { InstanceTable } from '../instance-table.js';
import { ContainerInstance } from './container-instance.js';
import { Containers } from './containers.js';
import { containerLogLines } from './docker-logs.js';
import {
  connectEngine,
  connectEngineOverSsh,
  engineSocket,
  engineStatus,
  isConnectionError,
  type SshEngineAddress,
  unreachable,
} from './engine.js';
import { ImageBuilder, type ImageOptions } from './images.js';

/** Options for {@link ContainerRuntime}. */
export interface ContainerRuntimeOptions extends ImageOptions {
  /** The Docker Engine API socket (default DOCKER_HOST's unix:// path, else /var/run/docker.sock). */
  socketPath?: string;
  /**
   * The engine on an SSH host instead of this machine's socket (docker-modem runs `docker system dial-stdio`
   * there over SSH; host keys pinned as the SSH runtime pins them). Images are built on that engine, once per
   * release content; publishHost should then be the host's address, which the proxy routes to.
   */
  ssh?: SshEngineAddress;
  /** Address published ports bind to (default 127.0.0.1: only this machine, and its proxy, reach them). */
  publishHost?: string;
  /** Port instances listen on inside their containers (default 8080). */
  containerPort?: number;
  /** Memory limit per instance, bytes, for a spec (undefined: none). */
  memoryBytes?: (spec: InstanceSpec) => number | undefined;
  secretEnv?: (spec: InstanceSpec) => Promise<Record<string, string>>;
  clock?: Clock;
  logger?: Logger;
  restartBackoff?: Partial<BackoffOptions>;
  /** How often the engine is asked which containers run (default 500 ms). */
  pollMs?: number;
  /** Stopped containers are kept this long for `slipway logs`, then removed (default 24 h). */
  keepStoppedMs?: number;
}

const pruneEveryMs = 60_000;

/**
 * Instances in containers through the Docker Engine API (dockerode; Podman's API serves it too):
 * an image per release (built on a base image with this machine's node), one container per
 * instance with its port published on a loopback address, the release env and secrets, an init
 * as PID 1 so SIGTERM drains, a memory limit, and labels by which a restarted coordinator's
 * records are checked. Containers outlive the coordinator; `adopt` re-attaches.
 *
 * @example
 * const runtime = new ContainerRuntime({ socketPath: '/run/docker.sock', memoryBytes: () => 256 * 2 ** 20 });
 * await runtime.start(spec); // { runtime: 'container', address: '127.0.0.1:32768', containerId: '…', … }
 */
export class ContainerRuntime implements Runtime {
  readonly name = 'container';
  readonly docker: Docker;
  private readonly socket: string;
  private readonly containers: Containers;
  private readonly table: InstanceTable<ContainerInstance>;
  /** Where each instance's log is (kept after it stops, for `slipway logs`). */
  private readonly logContainers = new Map<string, string>();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly backoff: BackoffOptions;
  private poller: NodeJS.Timeout | undefined;
  private polling = false;
  private lastPrune = 0;
  private readonly keyRefusal: () => string | undefined;
  /** Ends the SSH connection to a remote engine (nothing for the local socket). */
  private readonly endConnection: () => void = () => undefined;

  constructor(private readonly options: ContainerRuntimeOptions = {}) {
    if (options.ssh) {
      const remote = connectEngineOverSsh(options.ssh);
      this.socket = remote.label;
      this.docker = remote.docker;
      this.keyRefusal = remote.refusal;
      this.endConnection = remote.close;
    } else {
      this.socket = engineSocket({ socketPath: options.socketPath });
      this.docker = connectEngine({ socketPath: this.socket });
      this.keyRefusal = () => undefined;
    }
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.backoff = { ...defaultBackoff, ...options.restartBackoff };
    this.table = new InstanceTable('the container runtime', this.logger);
    this.containers = new Containers(this.docker, new ImageBuilder(this.docker, options), {
      host: options.publishHost ?? '127.0.0.1',
      containerPort: options.containerPort ?? 8080,
      memoryBytes: options.memoryBytes ?? (() => undefined),
      secretEnv: options.secretEnv ?? (async () => ({})),
    });
  }

  /** `restarts`: the count of an instance moved here from another host (HostContainers), else 0. */
  async start(spec: InstanceSpec, moved: { restarts?: number } = {}): Promise<InstanceHandle> {
    this.table.assertOpen();
    validateSpec(spec);
    const id = spec.instanceId;
    return this.table.start(id, async () => {
      const instance = this.supervise(spec);
      try {
        const handle = await instance.launch(moved.restarts);
        this.logger.info({ instanceId: id, address: handle.address }, 'started instance in a container');
        return handle;
      } catch (err) {
        throw this.engineError(err);
      } finally {
        if (instance.containerId) this.logContainers.set(id, instance.containerId);
      }
    });
  }

  /** Re-attach to recorded containers: live ones (the same run) are supervised, others restarted. */
  async adopt(records: { spec: InstanceSpec; handle: InstanceHandle }[]): Promise<InstanceStatus[]> {
    this.table.assertOpen();
    const parsed = records.map(({ spec, handle }) => {
      validateSpec(spec);
      return { spec, handle: parseContainerHandle(handle, spec.instanceId) };
    });
    const statuses: InstanceStatus[] = [];
    for (const { spec, handle } of parsed) {
      const existing = this.table.active(spec.instanceId);
      if (existing) {
        statuses.push(existing.status());
        continue;
      }
      const state = await this.containers.state(handle.containerId).catch((err: unknown) => {
        throw this.engineError(err);
      });
      const instance = this.supervise(spec);
      this.logContainers.set(spec.instanceId, handle.containerId);
      const port = Number(handle.address.slice(handle.address.lastIndexOf(':') + 1));
      if (state?.running && state.startedAt === handle.startedAt) instance.adoptLive(handle, port);
      else {
        const exit = { code: state?.exitCode ?? null, signal: null, at: this.clock.now() };
        await instance.adoptDead(handle, exit, 'was not running when the coordinator restarted');
      }
      statuses.push(instance.status());
    }
    return statuses;
  }

  stop(instanceId: string): Promise<void> {
    return this.table.stop(instanceId);
  }

  list(): InstanceStatus[] {
    return this.table.list();
  }

  subscribe(listener: (event: RuntimeEvent) => void): () => void {
    return this.table.subscribe(listener);
  }

  /** The container's log through the Engine API (also after it stopped: stopped containers are kept). */
  logs(instanceId: string, options: LogOptions = {}): AsyncIterable<LogLine> {
    const containerId = this.table.instances.get(instanceId)?.containerId ?? this.logContainers.get(instanceId);
    if (!containerId)
      throw new RuntimeError(
        'not_found',
        `no logs for instance ${instanceId}: this runtime has not started or adopted it`,
        {
          instanceId,
        },
      );
    return containerLogLines(this.docker, containerId, options);
  }

  /** CPU time and memory (the cgroup's, as the memory limit counts it) of a running instance's container. */
  async usage(instanceId: string): Promise<InstanceUsage | undefined> {
    const instance = this.table.instances.get(instanceId);
    const state = instance?.status().state;
    const containerId = instance?.running();
    if (!containerId || !state || !['starting', 'healthy', 'unhealthy'].includes(state)) return undefined;
    try {
      return await this.containers.usage(containerId, this.clock.now());
    } catch {
      return undefined;
    }
  }

  /**
   * Stop supervising one instance without a word to the engine, which does not answer (its SSH host stopped
   * answering): no restart here, no stop. Returns its last status and the container it ran in, to be ended with
   * endStray() if the host comes back; undefined when it is not active here.
   */
  forget(instanceId: string): { status: InstanceStatus; containerId: string | undefined } | undefined {
    const instance = this.table.active(instanceId);
    if (!instance) return undefined;
    instance.detach();
    this.table.instances.delete(instanceId);
    return { status: instance.status(), containerId: instance.running() ?? instance.containerId };
  }

  /** SIGKILL a container an instance left behind when it moved to another host. Absent or stopped: nothing to do. */
  endStray(containerId: string): Promise<void> {
    return this.containers.kill(containerId);
  }

  /** Resolves while the engine answers (the Engine API's `_ping`). */
  async ping(): Promise<void> {
    await this.docker.ping();
  }

  async close(): Promise<void> {
    if (this.poller) clearInterval(this.poller);
    this.table.close();
    this.endConnection();
  }

  private supervise(spec: InstanceSpec): ContainerInstance {
    const instance = new ContainerInstance(spec, {
      clock: this.clock,
      logger: this.logger.child({ instanceId: spec.instanceId, service: spec.service }),
      backoff: this.backoff,
      containers: this.containers,
      emit: (event) => {
        if (event.type === 'handle') this.logContainers.set(event.instanceId, String(event.handle.containerId));
        this.table.emit(event);
      },
    });
    this.table.instances.set(spec.instanceId, instance);
    this.watch();
    return instance;
  }

  /** One engine call per poll for every instance: which containers run; the others have exited. */
  private watch(): void {
    if (this.poller || this.table.closed) return;
    this.poller = setInterval(() => {
      if (this.polling || this.table.instances.size === 0) return;
      this.polling = true;
      this.containers
        .runningIds()
        .then((running) => {
          for (const instance of this.table.instances.values()) {
            const id = instance.running();
            if (id) instance.observe(running.has(id));
          }
        })
        .catch((err) => this.logger.warn({ err: messageOf(err), socket: this.socket }, 'engine poll failed'))
        .then(() => this.pruneNow())
        .catch((err) => this.logger.warn({ err: messageOf(err) }, 'removing old stopped containers failed'))
        .finally(() => {
          this.polling = false;
        });
    }, this.options.pollMs ?? 500);
    this.poller.unref();
  }

  /** Remove this runtime's containers that stopped longer ago than keepStoppedMs and that no instance needs. */
  private async pruneNow(): Promise<void> {
    const now = this.clock.now();
    const keepMs = this.options.keepStoppedMs ?? 24 * 3600_000;
    if (now - this.lastPrune < Math.min(pruneEveryMs, keepMs)) return;
    this.lastPrune = now;
    for (const old of await this.containers.stoppedBefore(now - keepMs)) {
      if (this.table.instances.has(old.instanceId)) continue;
      await this.containers.remove(old.containerId);
      if (this.logContainers.get(old.instanceId) === old.containerId) this.logContainers.delete(old.instanceId);
      this.logger.info({ instanceId: old.instanceId }, 'removed a stopped container kept for its logs');
    }
  }

  /** An engine that does not answer becomes one `unavailable` line naming its socket. */
  private engineError(err: unknown): unknown {
    const refusal = this.keyRefusal();
    if (refusal) return new RuntimeError('unavailable', refusal, { socket: this.socket });
    // Over SSH, ssh2's errors (handshake, login, a missing `docker`) carry no errno code.
    if (this.options.ssh && engineStatus(err) === undefined && !(err instanceof RuntimeError))
      return unreachable(this.socket, err);
    return isConnectionError(err) ? unreachable(this.socket, err) : err;
  }
}
