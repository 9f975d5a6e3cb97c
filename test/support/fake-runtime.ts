import type {
  InstanceHandle,
  InstanceSpec,
  InstanceState,
  InstanceStatus,
  LogLine,
  LogOptions,
  Runtime,
  RuntimeEvent,
} from '../../src/runtimes/runtime.js';
import type {
  EnvironmentRoutes,
  Router,
  SamplesPage,
  TrafficSample,
  TrafficStats,
  UpstreamStatus,
} from '../../src/traffic/router.js';

/**
 * In-memory stand-ins for the engine's two ports, for state-machine tests that must not depend
 * on processes or timing. They implement Slipway's own interfaces (not an outside system); the
 * real adapters are exercised by the integration tests under test/.
 */
export class FakeRuntime implements Runtime {
  readonly name = 'fake';
  readonly statuses = new Map<string, InstanceStatus>();
  readonly started: string[] = [];
  readonly stopped: string[] = [];
  private readonly listeners = new Set<(e: RuntimeEvent) => void>();
  private port = 20000;
  /** What a newly started instance of a release becomes: healthy at once (default), never, or failed. */
  behaviour: (spec: InstanceSpec) => 'healthy' | 'starting' | 'failed' = () => 'healthy';

  async start(spec: InstanceSpec): Promise<InstanceHandle> {
    const existing = this.statuses.get(spec.instanceId);
    if (existing && existing.state !== 'stopped') return { runtime: 'fake', address: existing.address };
    const address = `127.0.0.1:${this.port++}`;
    this.started.push(spec.instanceId);
    const outcome = this.behaviour(spec);
    this.set({
      instanceId: spec.instanceId,
      state: outcome,
      address,
      restarts: 0,
      ...(outcome === 'failed' ? { message: 'exited at once' } : {}),
    });
    return { runtime: 'fake', address };
  }

  async adopt(records: { spec: InstanceSpec; handle: InstanceHandle }[]): Promise<InstanceStatus[]> {
    return records.map((r) => {
      const s = this.statuses.get(r.spec.instanceId) ?? {
        instanceId: r.spec.instanceId,
        state: 'healthy' as const,
        address: r.handle.address,
        restarts: 0,
      };
      this.statuses.set(s.instanceId, s);
      return s;
    });
  }

  async stop(instanceId: string): Promise<void> {
    const s = this.statuses.get(instanceId);
    if (!s || s.state === 'stopped') return;
    this.stopped.push(instanceId);
    this.set({ ...s, state: 'stopped' });
    this.statuses.delete(instanceId);
  }

  list(): InstanceStatus[] {
    return [...this.statuses.values()];
  }

  subscribe(listener: (e: RuntimeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async *logs(instanceId: string, options: LogOptions = {}): AsyncIterable<LogLine> {
    // One line per instance; following after it yields nothing more.
    if (options.after === undefined) yield { text: `log of ${instanceId}`, at: Date.now(), cursor: '1' };
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }

  /** Change an instance's state as the real runtime would report it. */
  setState(instanceId: string, state: InstanceState, extra: Partial<InstanceStatus> = {}): void {
    const s = this.statuses.get(instanceId);
    if (s) this.set({ ...s, ...extra, state });
  }

  private set(status: InstanceStatus): void {
    this.statuses.set(status.instanceId, status);
    for (const l of this.listeners) l({ type: 'state', status });
  }
}

/** Records every route table it is given; reports no requests in flight. */
export class RecordingRouter implements Router {
  readonly applied: EnvironmentRoutes[] = [];
  async apply(routes: EnvironmentRoutes): Promise<void> {
    this.applied.push(structuredClone(routes));
  }
  async remove(): Promise<void> {}
  async upstreams(): Promise<UpstreamStatus[]> {
    return [];
  }
  async stats(): Promise<TrafficStats> {
    return { startedAt: 0, at: Date.now(), environments: {} };
  }
  async healthy(): Promise<boolean> {
    return true;
  }
  /** Samples fed by a test (the analysis tests); none by default. */
  readonly fed: TrafficSample[] = [];
  async samples(environment: string, service: string, after = 0): Promise<SamplesPage> {
    const samples = this.fed.filter((s) => s.seq > after);
    return { startedAt: 0, environment, service, samples, cursor: this.fed.at(-1)?.seq ?? after, missed: 0 };
  }
  /** The last table pushed for an environment. */
  last(environment: string): EnvironmentRoutes | undefined {
    return [...this.applied].reverse().find((t) => t.environment === environment);
  }
}
