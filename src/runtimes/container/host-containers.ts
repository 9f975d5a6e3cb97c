import { messageOf } from '../../shared/errors.js';
import { silentLogger } from '../../shared/logging.js';
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
import { ContainerRuntime, type ContainerRuntimeOptions } from './container-runtime.js';

/** Options for {@link HostContainers}. */
export interface HostContainersOptions extends Omit<ContainerRuntimeOptions, 'ssh' | 'publishHost' | 'socketPath'> {
  /** Containers of specs without hosts: this machine's engine. */
  local: ContainerRuntime;
  /** The SSH hosts (`ssh://user@host[:port]`) of a spec; none: this machine's engine. */
  hostsFor(spec: InstanceSpec): string[];
  /** Host keys pinned on first use (the SSH runtime's file). */
  knownHostsFile: string;
  credentials(host: HostAddress): Promise<HostCredentials>;
}

/**
 * Containers on SSH hosts: one {@link ContainerRuntime} per host, talking to that host's Docker Engine over SSH,
 * its ports published on the host's address (which the proxy routes to). An instance goes to the host of its
 * spec with the fewest instances of its service and environment; its handle records the host (`host`), by which
 * adopt finds it again. Specs without hosts go to this machine's engine. A host that stops answering keeps its
 * instances: they are not moved to another host (the SSH runtime moves its processes; this one does not yet).
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

  constructor(private readonly options: HostContainersOptions) {
    this.unsubscribes.push(options.local.subscribe((e) => this.emit(e)));
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

  async adopt(records: { spec: InstanceSpec; handle: InstanceHandle }[]): Promise<InstanceStatus[]> {
    const byHost = new Map<string, { spec: InstanceSpec; handle: InstanceHandle }[]>();
    for (const record of records) {
      const url = typeof record.handle.host === 'string' ? record.handle.host : '';
      byHost.set(url, [...(byHost.get(url) ?? []), record]);
    }
    const statuses: InstanceStatus[] = [];
    for (const [url, group] of byHost) {
      if (!url) {
        statuses.push(...(await this.options.local.adopt(group)));
        continue;
      }
      for (const { spec } of group) {
        this.owners.set(spec.instanceId, { url, spec });
        this.placed.add(spec.instanceId);
      }
      statuses.push(...(await (await this.runtimeOf(url)).adopt(group)));
    }
    const order = new Map(records.map((r, i) => [r.spec.instanceId, i]));
    return statuses.sort((a, b) => (order.get(a.instanceId) ?? 0) - (order.get(b.instanceId) ?? 0));
  }

  async stop(instanceId: string): Promise<void> {
    const owner = this.owners.get(instanceId);
    if (!owner) return this.options.local.stop(instanceId);
    this.placed.delete(instanceId);
    await (await this.runtimeOf(owner.url)).stop(instanceId);
  }

  list(): InstanceStatus[] {
    return [...this.options.local.list(), ...this.started().flatMap((r) => r.list())];
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
    return (await this.runtimeOf(owner.url)).usage(instanceId);
  }

  async close(): Promise<void> {
    for (const off of this.unsubscribes.splice(0)) off();
    await Promise.all([
      this.options.local.close(),
      ...[...this.runtimes.values()].map((r) => r.then((x) => x.close()).catch(() => undefined)),
    ]);
  }

  /** The host with the fewest active instances of the spec's service and environment. */
  private place(spec: InstanceSpec, hosts: string[]): string {
    const load = (url: string) =>
      [...this.owners.entries()].filter(
        ([id, o]) =>
          o.url === url &&
          id !== spec.instanceId &&
          this.placed.has(id) &&
          o.spec.service === spec.service &&
          o.spec.environment === spec.environment,
      ).length;
    return hosts.reduce((best, url) => (load(url) < load(best) ? url : best));
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
    const { local: _local, hostsFor: _hostsFor, knownHostsFile, credentials, ...rest } = this.options;
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
    return runtime;
  }

  private emit(event: RuntimeEvent): void {
    for (const listener of this.listeners) {
      // A listener that throws harms none of the others.
      try {
        listener(event);
      } catch (err) {
        (this.options.logger ?? silentLogger).error({ err: messageOf(err), event: event.type }, 'listener threw');
      }
    }
  }
}
