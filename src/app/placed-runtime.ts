import type { ContainerConfig, ProjectConfig } from '../config/model.js';
import type {
  InstanceHandle,
  InstanceSpec,
  InstanceStatus,
  InstanceUsage,
  LogLine,
  LogOptions,
  Runtime,
  RuntimeEvent,
} from '../runtimes/runtime.js';

/** The SSH hosts of a spec's service in its environment: the service's own, else the environment's, else none. */
export function hostsOf(
  configs: () => ProjectConfig[],
  spec: Pick<InstanceSpec, 'project' | 'environment' | 'service'>,
): string[] {
  const config = configs().find((c) => c.project === spec.project);
  const service = config?.services.find((s) => s.name === spec.service);
  const environment = config?.environments.find((e) => e.name === spec.environment);
  return service?.environments[spec.environment]?.hosts ?? environment?.hosts ?? [];
}

/**
 * The `container:` of a spec's service in its environment: the service's own; else none when the service has
 * its own hosts; else the environment's. Undefined: the instance does not run in a container.
 */
export function containerOf(
  configs: () => ProjectConfig[],
  spec: Pick<InstanceSpec, 'project' | 'environment' | 'service'>,
): ContainerConfig | undefined {
  const config = configs().find((c) => c.project === spec.project);
  const override = config?.services.find((s) => s.name === spec.service)?.environments[spec.environment];
  if (override?.container) return override.container;
  if (override?.hosts) return undefined;
  return config?.environments.find((e) => e.name === spec.environment)?.container;
}

/**
 * One Runtime for the engine over two: instances of environments (or services) with `hosts:` go to
 * the SSH runtime, the others to the local one. Adopt, stop and logs follow the runtime that owns the
 * instance (its handle's `runtime`, or which one lists it).
 */
export class PlacedRuntime implements Runtime {
  readonly name: string;

  constructor(
    private readonly local: Runtime,
    private readonly remote: Runtime,
    private readonly remoteFor: (spec: InstanceSpec) => boolean,
  ) {
    this.name = `${local.name}+${remote.name}`;
  }

  start(spec: InstanceSpec): Promise<InstanceHandle> {
    return (this.remoteFor(spec) ? this.remote : this.local).start(spec);
  }

  async adopt(records: { spec: InstanceSpec; handle: InstanceHandle }[]): Promise<InstanceStatus[]> {
    const remote = records.filter((r) => r.handle.runtime === this.remote.name);
    const local = records.filter((r) => r.handle.runtime !== this.remote.name);
    const statuses = [...(await this.local.adopt(local)), ...(await this.remote.adopt(remote))];
    const order = new Map(records.map((r, i) => [r.spec.instanceId, i]));
    return statuses.sort((a, b) => (order.get(a.instanceId) ?? 0) - (order.get(b.instanceId) ?? 0));
  }

  async stop(instanceId: string): Promise<void> {
    await Promise.all([this.local.stop(instanceId), this.remote.stop(instanceId)]);
  }

  async usage(instanceId: string): Promise<InstanceUsage | undefined> {
    return (await this.remote.usage(instanceId)) ?? this.local.usage(instanceId);
  }

  list(): InstanceStatus[] {
    return [...this.local.list(), ...this.remote.list()];
  }

  subscribe(listener: (event: RuntimeEvent) => void): () => void {
    const offLocal = this.local.subscribe(listener);
    const offRemote = this.remote.subscribe(listener);
    return () => {
      offLocal();
      offRemote();
    };
  }

  logs(instanceId: string, options?: LogOptions): AsyncIterable<LogLine> {
    const remote = this.remote;
    const local = this.local;
    return {
      async *[Symbol.asyncIterator]() {
        // The runtime that knows the instance answers; the local one's not_found stands for "neither".
        try {
          yield* remote.logs(instanceId, options);
        } catch (err) {
          if ((err as { code?: string }).code !== 'not_found') throw err;
          yield* local.logs(instanceId, options);
        }
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all([this.local.close(), this.remote.close()]);
  }
}
