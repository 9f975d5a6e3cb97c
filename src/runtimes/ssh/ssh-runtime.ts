import { systemClock, type Clock } from '../../shared/clock.js';
import { messageOf } from '../../shared/errors.js';
import { silentLogger, type Logger } from '../../shared/logging.js';
import { parseProcStat } from '../local/proc-usage.js';
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
import { readLogLines } from '../local/log-reader.js';
import { validateSpec } from '../local/spec-validation.js';
import { parseHostAddress, type HostAddress } from './host-address.js';
import type { HostCredentials } from './host-connection.js';
import { HostPoller } from './host-poller.js';
import { KnownHosts } from './known-hosts.js';
import { RemoteHost, type RemoteProcess } from './remote-host.js';
import { allocateHostPort, placeInstance } from './placement.js';
import { parseSshHandle } from './ssh-handle.js';
import { InstanceTable } from '../instance-table.js';
import { SshInstance } from './ssh-instance.js';

/** Options for {@link SshRuntime}. */
export interface SshRuntimeOptions {
  /** The hosts (`ssh://user@host[:port][/dir]`) an instance of this spec may run on. */
  hostsFor(spec: InstanceSpec): string[];
  /** Host keys pinned on first use (KnownHosts). */
  knownHostsFile: string;
  /** How to log in to a host: a private key from Slipway's secrets and/or the SSH agent. */
  credentials(host: HostAddress): Promise<HostCredentials>;
  clock?: Clock;
  logger?: Logger;
  restartBackoff?: Partial<BackoffOptions>;
  /** The environment's secrets, asked for at every process start (as for the local runtime). */
  secretEnv?: (spec: InstanceSpec) => Promise<Record<string, string>>;
  /** How often each host is asked for its instances (default 500 ms). */
  pollMs?: number;
  /** A host silent this long is down (default 4 s). */
  downAfterMs?: number;
  /** Ports instances listen on, on their host (default 20000–29999). */
  ports?: { from: number; to: number };
  /** SSH handshake and command timeout (default 8 s). */
  timeoutMs?: number;
}

/**
 * Instances on SSH hosts, agentless as Kamal is: Slipway ships a small sh script and each release
 * (once per host) over SSH, starts instances detached there, supervises them from the coordinator
 * (health checks to the host's address, exits from a poll, restarts with backoff) and moves them to
 * another host when theirs stops answering. Instances outlive the coordinator; `adopt` re-attaches.
 *
 * @example
 * const runtime = new SshRuntime({ hostsFor: () => ['ssh://deploy@10.0.0.5'], knownHostsFile, credentials });
 * const handle = await runtime.start(spec);
 * // { runtime: 'ssh', address: '10.0.0.5:20417', host: 'deploy@10.0.0.5:22', … }
 */
export class SshRuntime implements Runtime {
  readonly name = 'ssh';
  private readonly table: InstanceTable<SshInstance>;
  private readonly logHosts = new Map<string, RemoteHost>();
  private readonly hosts = new Map<string, RemoteHost>();
  private readonly pollers = new Map<string, HostPoller<RemoteHost>>();
  private readonly knownHosts: KnownHosts;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly backoff: BackoffOptions;

  constructor(private readonly options: SshRuntimeOptions) {
    this.knownHosts = new KnownHosts(options.knownHostsFile);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.backoff = { ...defaultBackoff, ...options.restartBackoff };
    this.table = new InstanceTable('the SSH runtime', this.logger);
  }

  /** Ship the release to a host if needed, start the instance there and supervise it. Idempotent per instanceId. */
  async start(spec: InstanceSpec): Promise<InstanceHandle> {
    this.table.assertOpen();
    validateSpec(spec);
    this.hostsOf(spec);
    return this.table.start(spec.instanceId, async () => {
      const handle = await this.supervise(spec).launch();
      this.logger.info(
        { instanceId: spec.instanceId, host: handle.host, address: handle.address },
        'started instance on host',
      );
      return handle;
    });
  }

  /** Re-attach to recorded instances; dead ones (or ones on a host that does not answer) are restarted. */
  async adopt(records: { spec: InstanceSpec; handle: InstanceHandle }[]): Promise<InstanceStatus[]> {
    this.table.assertOpen();
    const parsed = records.map(({ spec, handle }) => {
      validateSpec(spec);
      const h = parseSshHandle(handle, spec.instanceId);
      const host = this.hostsOf(spec).find((x) => x.label === h.host);
      if (!host)
        throw new RuntimeError(
          'invalid_input',
          `instance ${spec.instanceId}: handle host ${h.host} is not one of ` + `the hosts of ${spec.environment}`,
          { instanceId: spec.instanceId, field: 'host' },
        );
      return { spec, handle: h, host };
    });
    const statuses: InstanceStatus[] = [];
    for (const { spec, handle, host } of parsed) {
      const existing = this.table.active(spec.instanceId);
      if (existing) {
        statuses.push(existing.status());
        continue;
      }
      const instance = this.supervise(spec);
      this.logHosts.set(spec.instanceId, host);
      let found: RemoteProcess | undefined;
      try {
        found = (await host.status()).get(spec.instanceId);
      } catch (err) {
        await instance.adoptDead(handle, host, { code: null, signal: null, at: this.clock.now() }, messageOf(err));
        statuses.push(instance.status());
        continue;
      }
      if (found?.alive && found.pid === handle.pid && found.procStart === handle.procStart)
        instance.adoptLive(handle, host);
      else {
        const why = 'was not running when the coordinator restarted';
        await instance.adoptDead(
          handle,
          host,
          { code: found?.exitCode ?? null, signal: null, at: this.clock.now() },
          why,
        );
      }
      this.poll(host);
      statuses.push(instance.status());
    }
    return statuses;
  }

  stop(instanceId: string): Promise<void> {
    return this.table.stop(instanceId);
  }

  /** CPU and resident memory of an instance's process tree, read from /proc on its host (Linux hosts). */
  async usage(instanceId: string): Promise<InstanceUsage | undefined> {
    const instance = this.table.instances.get(instanceId);
    const state = instance?.status().state;
    const running = instance?.process();
    if (!running || !state || !['starting', 'healthy', 'unhealthy'].includes(state)) return undefined;
    try {
      const stats = (await running.host.procStats(running.pid)).map(parseProcStat);
      if (stats.length === 0) return undefined;
      const ticks = stats.reduce((n, s) => n + s.ticks, 0);
      const pages = stats.reduce((n, s) => n + s.rssPages, 0);
      // The host's tick rate and page size are Linux's usual ones (100 Hz, 4 KiB), as on this machine.
      return { cpuSeconds: ticks / 100, rssBytes: pages * 4096, at: this.clock.now() };
    } catch {
      return undefined;
    }
  }

  list(): InstanceStatus[] {
    return this.table.list();
  }

  subscribe(listener: (event: RuntimeEvent) => void): () => void {
    return this.table.subscribe(listener);
  }

  /** Log lines read over SFTP from the instance's host (the one it runs on now). */
  logs(instanceId: string, options: LogOptions = {}): AsyncIterable<LogLine> {
    const host = this.logHosts.get(instanceId);
    if (!host)
      throw new RuntimeError(
        'not_found',
        `no logs for instance ${instanceId}: this runtime has not started or adopted it`,
        {
          instanceId,
        },
      );
    return readLogLines(host.logFile(instanceId), { ...options, clock: this.clock, files: host.logs, pollMs: 300 });
  }

  async close(): Promise<void> {
    if (!this.table.close()) return;
    for (const poller of this.pollers.values()) poller.stop();
    for (const host of this.hosts.values()) host.close();
  }

  /** The hosts a spec may run on; names the environment when it has none. */
  private hostsOf(spec: InstanceSpec): RemoteHost[] {
    const urls = this.options.hostsFor(spec);
    if (urls.length === 0)
      throw new RuntimeError('invalid_input', `no SSH hosts for ${spec.service} in ${spec.environment}`, {
        instanceId: spec.instanceId,
      });
    return urls.map((url) => {
      const address = parseHostAddress(url);
      let host = this.hosts.get(address.label);
      if (!host) {
        host = new RemoteHost(address, {
          knownHosts: this.knownHosts,
          credentials: () => this.options.credentials(address),
          timeoutMs: this.options.timeoutMs,
        });
        this.hosts.set(address.label, host);
      }
      return host;
    });
  }

  private supervise(spec: InstanceSpec): SshInstance {
    const instance = new SshInstance(spec, {
      clock: this.clock,
      logger: this.logger.child({ instanceId: spec.instanceId, service: spec.service }),
      backoff: this.backoff,
      emit: (event) => this.table.emit(event),
      place: (s, previous, exclude) => this.place(s, previous, exclude),
      allocatePort: (host, id) => this.allocatePort(host, id),
      secretEnv: this.options.secretEnv ?? (async () => ({})),
      logMoved: (id, host) => {
        this.logHosts.set(id, host);
        this.poll(host);
      },
    });
    this.table.instances.set(spec.instanceId, instance);
    return instance;
  }

  /** `previous` while it answers; else the answering host with the fewest instances of this service. */
  private place(spec: InstanceSpec, previous?: RemoteHost, exclude: Set<RemoteHost> = new Set()): RemoteHost {
    const up = this.hostsOf(spec).filter((h) => !this.pollers.get(h.label)?.down && !exclude.has(h));
    return placeInstance(spec, this.hostsOf(spec), up, [...this.table.instances.values()], previous);
  }

  /** A port nobody listens on at the host, and that no other instance of ours holds there. */
  private allocatePort(host: RemoteHost, instanceId: string): Promise<number> {
    return allocateHostPort(host, instanceId, this.table.instances, this.options.ports ?? { from: 20000, to: 29999 });
  }

  /** Start watching a host (once). */
  private poll(host: RemoteHost): void {
    if (this.pollers.has(host.label) || this.table.closed) return;
    this.pollers.set(
      host.label,
      new HostPoller(host, {
        clock: this.clock,
        pollMs: this.options.pollMs ?? 500,
        downAfterMs: this.options.downAfterMs ?? 4000,
        events: {
          seen: (h, processes) => {
            for (const instance of this.table.instances.values())
              instance.observe(h, processes.get(instance.spec.instanceId));
            this.killStrays(h, processes);
          },
          lost: (h, why) => {
            this.logger.warn({ host: h.label }, why);
            for (const instance of this.table.instances.values()) instance.hostLost(h, why);
          },
        },
      }),
    );
  }

  /** Instances moved away from a host while it was silent may still run there when it answers again: end them. */
  private killStrays(host: RemoteHost, processes: Map<string, { alive: boolean }>): void {
    for (const [id, p] of processes) {
      const instance = this.table.instances.get(id);
      // Only an instance known to run elsewhere now (one being adopted has no host yet).
      const where = instance?.isActive() ? instance.hostLabel() : undefined;
      if (!p.alive || !where || where === host.label) continue;
      this.logger.warn({ host: host.label, instanceId: id }, 'ending an instance that was moved off this host');
      void host.signal(id, 'KILL').catch(() => undefined);
    }
  }
}
