import { type Clock, systemClock } from '../../shared/clock.js';
import { messageOf } from '../../shared/errors.js';
import { type Logger, silentLogger } from '../../shared/logging.js';
import { RuntimeError } from '../local/errors.js';
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
import { type HostAddress, parseHostAddress } from '../ssh/host-address.js';
import type { HostCredentials } from '../ssh/host-connection.js';
import { HostPoller } from '../ssh/host-poller.js';
import { ContainerRuntime, type ContainerRuntimeOptions } from './container-runtime.js';
import { validateSpec } from '../local/spec-validation.js';
import { type ContainerHandle, parseContainerHandle } from './container-handle.js';
import { type EngineHost, engineHost } from './engine-host.js';
import { HostMoves } from './host-moves.js';

/** Options for {@link HostContainers}. */
export interface HostContainersOptions extends Omit<ContainerRuntimeOptions, 'ssh' | 'publishHost' | 'socketPath'> {
  /** Containers of specs without hosts: this machine's engine. */
  local: ContainerRuntime;
  /** The SSH hosts (`ssh://user@host[:port]`) of a spec; none: this machine's engine. */
  hostsFor(spec: InstanceSpec): string[];
  /** Host keys pinned on first use (the SSH runtime's file). */
  knownHostsFile: string;
  credentials(host: HostAddress): Promise<HostCredentials>;
  /** How often each host's engine is asked whether it answers (default 1 s). */
  hostPollMs?: number;
  /** A host whose engine is silent this long is down: its instances move to the other hosts (default 4 s). */
  downAfterMs?: number;
  /** How long one such question may take (default 5 s). */
  hostTimeoutMs?: number;
}

/**
 * Containers on SSH hosts: one {@link ContainerRuntime} per host, talking to that host's Docker Engine over SSH,
 * its ports published on the host's address (which the proxy routes to). An instance goes to the host of its
 * spec with the fewest instances of its service and environment; its handle records the host (`host`), by which
 * adopt finds it again. Specs without hosts go to this machine's engine. A host whose engine stops answering for
 * `downAfterMs` counts its instances down, as the SSH runtime does: each is started on another of its hosts (the
 * `exit` event names the lost host), and the containers they left there are ended when the host answers again. A
 * host that does not answer when a restarted coordinator adopts is treated the same, at once.
 */
export class HostContainers implements Runtime {
  readonly name = 'container';
  private readonly runtimes = new Map<string, Promise<ContainerRuntime>>();
  private readonly owners = new Map<string, { url: string; spec: InstanceSpec }>();
  private readonly listeners = new Set<(event: RuntimeEvent) => void>();
  private readonly unsubscribes: (() => void)[] = [];
  private readonly resolved = new Map<string, ContainerRuntime>();
  /** Instances started (or adopted) and not stopped: what placement counts. */
  private readonly placed = new Set<string>();
  private readonly pollers = new Map<string, HostPoller<EngineHost>>();
  private readonly moves: HostMoves;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(private readonly options: HostContainersOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.unsubscribes.push(options.local.subscribe((e) => this.emit(e)));
    this.moves = new HostMoves({
      clock: this.clock,
      logger: this.logger,
      emit: (event) => this.emit(event),
      hostsFor: (spec) => options.hostsFor(spec),
      byLoad: (spec, hosts) => this.byLoad(spec, hosts),
      isDown: (url) => this.pollers.get(url)?.down === true,
      opened: (url) => this.resolved.get(url),
      runtimeOf: (url) => this.runtimeOf(url),
      own: (url, spec) => this.owners.set(spec.instanceId, { url, spec }),
    });
  }

  async start(spec: InstanceSpec): Promise<InstanceHandle> {
    const hosts = this.options.hostsFor(spec);
    if (hosts.length === 0) return this.options.local.start(spec);
    const url = this.owners.get(spec.instanceId)?.url ?? this.place(spec, hosts);
    this.owners.set(spec.instanceId, { url, spec });
    this.placed.add(spec.instanceId);
    try {
      const handle = await (await this.runtimeOf(url)).start(spec);
      return { ...handle, host: url };
    } catch (err) {
      this.placed.delete(spec.instanceId);
      throw err;
    }
  }

  /**
   * Re-attach per host, through that host's engine. A host that does not answer (its sshd or machine is down) fails
   * only its own instances: they count down and start on their other hosts, as when a host is lost while running,
   * and the containers left there are ended once it answers again. Every record is checked before any is adopted,
   * and this machine's engine goes first, so an adopt that fails (a bad record, the local engine) adopted nothing.
   */
  async adopt(records: { spec: InstanceSpec; handle: InstanceHandle }[]): Promise<InstanceStatus[]> {
    const local: { spec: InstanceSpec; handle: InstanceHandle }[] = [];
    const byHost = new Map<string, { spec: InstanceSpec; handle: InstanceHandle; parsed: ContainerHandle }[]>();
    for (const record of records) {
      const url = typeof record.handle.host === 'string' ? record.handle.host : '';
      if (!url) {
        local.push(record);
        continue;
      }
      validateSpec(record.spec);
      const parsed = parseContainerHandle(record.handle, record.spec.instanceId);
      byHost.set(url, [...(byHost.get(url) ?? []), { ...record, parsed }]);
    }
    const statuses = local.length > 0 ? await this.options.local.adopt(local) : [];
    // Side by side: hosts that do not answer each cost a connection timeout, not one after another.
    for (const group of await Promise.all([...byHost].map(([url, group]) => this.adoptOn(url, group))))
      statuses.push(...group);
    const order = new Map(records.map((r, i) => [r.spec.instanceId, i]));
    return statuses.sort((a, b) => (order.get(a.instanceId) ?? 0) - (order.get(b.instanceId) ?? 0));
  }

  async stop(instanceId: string): Promise<void> {
    const owner = this.owners.get(instanceId);
    if (!owner) return this.options.local.stop(instanceId);
    this.placed.delete(instanceId);
    // A move to another host ends here; a start under way there is waited for and stopped below.
    this.moves.cancel(instanceId);
    // No runtime for its host (none could be opened when adopting), or one whose opening failed: nothing of the
    // instance was started through it.
    const runtime = await this.runtimes.get(owner.url)?.catch(() => undefined);
    await runtime?.stop(instanceId);
  }

  list(): InstanceStatus[] {
    const listed = [...this.options.local.list(), ...this.started().flatMap((r) => r.list())];
    const ids = new Set(listed.map((s) => s.instanceId));
    return [...listed, ...this.moves.statuses().filter((s) => !ids.has(s.instanceId))];
  }

  subscribe(listener: (event: RuntimeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  logs(instanceId: string, options?: LogOptions): AsyncIterable<LogLine> {
    const owner = this.owners.get(instanceId);
    if (!owner) return this.options.local.logs(instanceId, options);
    const runtimeOf = () => this.runtimeOf(owner.url);
    return {
      async *[Symbol.asyncIterator]() {
        yield* (await runtimeOf()).logs(instanceId, options);
      },
    };
  }

  async usage(instanceId: string): Promise<InstanceUsage | undefined> {
    const owner = this.owners.get(instanceId);
    if (!owner) return this.options.local.usage(instanceId);
    // Not through runtimeOf: asking about an instance never opens a connection to a host (nor fails for one).
    return this.resolved.get(owner.url)?.usage(instanceId);
  }

  async close(): Promise<void> {
    for (const poller of this.pollers.values()) poller.stop();
    this.moves.close();
    for (const off of this.unsubscribes.splice(0)) off();
    await Promise.all([
      this.options.local.close(),
      ...[...this.runtimes.values()].map((r) => r.then((x) => x.close()).catch(() => undefined)),
    ]);
  }

  /** The answering host with the fewest active instances of the spec's service and environment. */
  private place(spec: InstanceSpec, hosts: string[]): string {
    return this.byLoad(spec, hosts)[0]!;
  }

  /**
   * Hosts that answer, fewest active instances of the spec's service and environment first (stable for ties). None
   * answering: all of them, so a start fails with the engine's own line naming the host.
   */
  private byLoad(spec: InstanceSpec, hosts: string[]): string[] {
    const load = (url: string) =>
      [...this.owners.entries()].filter(
        ([id, o]) =>
          o.url === url &&
          id !== spec.instanceId &&
          this.placed.has(id) &&
          o.spec.service === spec.service &&
          o.spec.environment === spec.environment,
      ).length;
    const up = hosts.filter((url) => !this.pollers.get(url)?.down);
    return (up.length > 0 ? up : hosts)
      .map((url, i) => ({ url, i, load: load(url) }))
      .sort((a, b) => a.load - b.load || a.i - b.i)
      .map((h) => h.url);
  }

  /** Adopt one host's instances; never rejects: a host that does not answer counts them down (see adopt). */
  private async adoptOn(
    url: string,
    group: { spec: InstanceSpec; handle: InstanceHandle; parsed: ContainerHandle }[],
  ): Promise<InstanceStatus[]> {
    // Adopted again (adopt is idempotent): one already moving off this host, or moved to another, stays as it is.
    const elsewhere = (id: string) => {
      const owner = this.owners.get(id);
      return this.moves.has(id) || (owner !== undefined && owner.url !== url && this.placed.has(id));
    };
    const already = group.filter((r) => elsewhere(r.spec.instanceId));
    const here = group.filter((r) => !elsewhere(r.spec.instanceId));
    const known = new Map(this.list().map((s) => [s.instanceId, s]));
    const statuses = already.flatMap((r) => known.get(r.spec.instanceId) ?? []);
    for (const { spec } of here) {
      this.owners.set(spec.instanceId, { url, spec });
      this.placed.add(spec.instanceId);
    }
    if (here.length === 0) return statuses;
    try {
      return [...statuses, ...(await (await this.runtimeOf(url)).adopt(here))];
    } catch (err) {
      const why = `host ${hostLabel(url)} did not answer when the coordinator restarted (${messageOf(err)})`;
      this.pollers.get(url)?.assumeDown();
      this.moves.adoptedDown(
        url,
        why,
        here.map((r) => ({ spec: r.spec, handle: r.parsed })),
      );
      return [...statuses, ...here.flatMap((r) => this.moves.statusOf(r.spec.instanceId) ?? [])];
    }
  }

  /** The host's engine stopped answering: its instances count as down and start on the other hosts. */
  private hostLost(url: string, why: string): void {
    const on = [...this.owners.values()].filter((o) => o.url === url && this.placed.has(o.spec.instanceId));
    this.moves.hostLost(
      url,
      why,
      on.map((o) => o.spec),
    );
  }

  private started(): ContainerRuntime[] {
    return [...this.resolved.values()];
  }

  private runtimeOf(url: string): Promise<ContainerRuntime> {
    let pending = this.runtimes.get(url);
    if (!pending) {
      pending = this.open(url);
      this.runtimes.set(url, pending);
      pending.catch(() => this.runtimes.delete(url));
    }
    return pending;
  }

  private async open(url: string): Promise<ContainerRuntime> {
    const host = parseHostAddress(url);
    // Docker publishes ports on an address (HostIp), not a name.
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(host.host))
      throw new RuntimeError(
        'invalid_input',
        `host ${host.label}: containers on SSH hosts need the host's IPv4 address`,
      );
    const {
      local: _l,
      hostsFor: _h,
      knownHostsFile,
      credentials,
      hostPollMs,
      downAfterMs,
      hostTimeoutMs,
      ...rest
    } = this.options;
    const runtime = new ContainerRuntime({
      ...rest,
      ssh: { url, knownHostsFile, credentials: await credentials(host) },
      publishHost: host.host,
    });
    this.unsubscribes.push(
      runtime.subscribe((event) =>
        this.emit(event.type === 'handle' ? { ...event, handle: { ...event.handle, host: url } } : event),
      ),
    );
    this.resolved.set(url, runtime);
    this.pollers.set(
      url,
      new HostPoller(engineHost(url, runtime, hostTimeoutMs ?? 5000), {
        clock: this.clock,
        pollMs: hostPollMs ?? 1000,
        downAfterMs: downAfterMs ?? 4000,
        events: { seen: (h) => this.moves.hostSeen(h.url), lost: (h, why) => this.hostLost(h.url, why) },
      }),
    );
    return runtime;
  }

  private emit(event: RuntimeEvent): void {
    for (const listener of this.listeners) {
      // A listener that throws harms none of the others.
      try {
        listener(event);
      } catch (err) {
        this.logger.error({ err: messageOf(err), event: event.type }, 'listener threw');
      }
    }
  }
}

/** How a host is named for people (user@host:port); the url itself when it cannot be read. */
function hostLabel(url: string): string {
  try {
    return parseHostAddress(url).label;
  } catch {
    return url;
  }
}
