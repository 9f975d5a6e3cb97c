import type { V1Pod } from '@kubernetes/client-node';
import { type Logger, silentLogger } from '../../shared/logging.js';
import { RuntimeError } from '../local/errors.js';
import { validateSpec } from '../local/spec-validation.js';
import type {
  InstanceExit,
  InstanceHandle,
  InstanceSpec,
  InstanceStatus,
  InstanceUsage,
  LogLine,
  LogOptions,
  Runtime,
  RuntimeEvent,
} from '../runtime.js';
import type { KubeApi } from './kube-api.js';
import { type KubernetesHandle, parseKubernetesHandle } from './kubernetes-handle.js';
import { parseCursor, parseLog, sinceTimeOf } from './log-lines.js';
import { deploymentFor, type ManifestOptions, serviceAddress, serviceFor } from './manifests.js';
import { deploymentName, instanceLabels, label, managedBy, releaseLabels, selector, serviceName } from './names.js';
import { currentPod, podView } from './pod-status.js';

export interface KubernetesRuntimeOptions extends ManifestOptions {
  api: KubeApi;
  /** How often pods are listed (one call for the whole namespace); default 2 s. */
  pollMs?: number;
  logger?: Logger;
}

interface Tracked {
  spec: InstanceSpec;
  handle: KubernetesHandle;
  status: InstanceStatus;
  everReady: boolean;
  /** The pod last seen for the instance, and its container restarts already reported. */
  pod?: string;
  podRestarts: number;
  /** Adopted: the first pod seen is the one the previous coordinator knew; its restarts are counted. */
  baseline: boolean;
  starting?: Promise<InstanceHandle>;
  stopping?: Promise<void>;
}

const allOurs = selector({ [label.managedBy]: managedBy });

/**
 * Instances as Kubernetes Deployments (one replica each) behind a Service per release (manifests.ts). The
 * kubelet supervises: it restarts crashed containers and runs the readiness probe; this runtime lists the
 * namespace's pods every `pollMs` and turns what they say into the Runtime's states and events. Keeps no
 * state the engine cannot give back: a restarted coordinator adopts by handle, and finds pods by label.
 */
export class KubernetesRuntime implements Runtime {
  readonly name = 'kubernetes';
  private readonly tracked = new Map<string, Tracked>();
  /** Every instance this runtime started or adopted, for logs after a stop. */
  private readonly known = new Map<string, InstanceSpec>();
  private readonly listeners = new Set<(event: RuntimeEvent) => void>();
  private readonly logger: Logger;
  private readonly pollMs: number;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private pollFailing = false;

  constructor(private readonly o: KubernetesRuntimeOptions) {
    this.logger = o.logger ?? silentLogger;
    this.pollMs = o.pollMs ?? 2000;
  }

  async start(spec: InstanceSpec): Promise<InstanceHandle> {
    this.assertOpen();
    validateSpec(spec);
    const existing = this.tracked.get(spec.instanceId);
    if (existing && existing.status.state !== 'failed' && !existing.stopping)
      return existing.starting ?? existing.handle;
    const t = this.track(spec, this.handleOf(spec, existing?.status.restarts ?? 0), false);
    t.starting = this.create(t).finally(() => {
      t.starting = undefined;
    });
    return t.starting;
  }

  async adopt(records: { spec: InstanceSpec; handle: InstanceHandle }[]): Promise<InstanceStatus[]> {
    this.assertOpen();
    const parsed = records.map((r) => ({ spec: validateSpec(r.spec), handle: this.parseHandle(r.handle, r.spec) }));
    const statuses: InstanceStatus[] = [];
    for (const { spec, handle } of parsed) {
      const existing = this.tracked.get(spec.instanceId);
      if (existing && !existing.stopping) {
        statuses.push({ ...existing.status });
        continue;
      }
      const t = this.track(spec, handle, true);
      const deployment = await this.o.api.readDeployment(handle.deployment);
      if (!deployment) {
        this.crash(t, { code: null, signal: null, at: Date.now() }, [], `deployment ${handle.deployment} is gone`);
        await this.create(t).catch(() => undefined);
      } else if (deployment.spec?.replicas === 0) {
        // A stop the previous coordinator did not finish: the engine still counts the instance as running.
        await this.o.api.scaleDeployment(handle.deployment, 1);
      }
      statuses.push({ ...t.status });
    }
    this.schedulePoll();
    return statuses;
  }

  async stop(instanceId: string): Promise<void> {
    const t = this.tracked.get(instanceId);
    if (!t) return;
    if (t.stopping) return t.stopping;
    t.stopping = (async () => {
      await t.starting?.catch(() => undefined);
      this.setStatus(t, { state: 'stopping', message: undefined });
      const { api } = this.o;
      // Scale to 0 first: the kubelet sends SIGTERM and waits terminationGracePeriodSeconds (the drain
      // timeout) before SIGKILL. Then the Deployment goes, and the release's Service with its last instance.
      await api.scaleDeployment(t.handle.deployment, 0);
      const mine = selector({ [label.instance]: instanceLabels(t.spec)[label.instance]! });
      const deadline = Date.now() + t.spec.drainTimeoutMs + 60_000;
      while ((await api.listPods(mine)).length > 0) {
        if (Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, Math.min(this.pollMs, 500)));
      }
      await api.deleteDeployment(t.handle.deployment);
      const release = await api.listDeployments(selector(releaseLabels(t.spec)));
      if (release.every((d) => d.metadata?.name === t.handle.deployment)) await api.deleteService(serviceName(t.spec));
      this.tracked.delete(instanceId);
      this.setStatus(t, { state: 'stopped' });
    })();
    t.stopping.catch(() => {
      t.stopping = undefined;
    });
    return t.stopping;
  }

  list(): InstanceStatus[] {
    return [...this.tracked.values()].map((t) => ({ ...t.status }));
  }

  subscribe(listener: (event: RuntimeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async *logs(instanceId: string, options: LogOptions = {}): AsyncIterable<LogLine> {
    const spec = this.known.get(instanceId);
    if (!spec) throw new RuntimeError('not_found', `instance ${instanceId}: not started or adopted by this runtime`);
    const mine = selector({ [label.instance]: instanceLabels(spec)[label.instance]! });
    let after = options.after ? parseCursor(options.after) : undefined;
    if (options.after && !after) throw new RuntimeError('invalid_input', `logs of ${instanceId}: unknown cursor`);
    let first = true;
    for (;;) {
      const pod = currentPod(await this.o.api.listPods(mine))?.metadata?.name;
      if (pod) {
        const read =
          after && after.pod === pod
            ? { sinceSeconds: Math.max(1, Math.ceil((Date.now() - sinceTimeOf(after).getTime()) / 1000) + 1) }
            : after || !first
              ? {}
              : { tailLines: options.tail ?? 100 };
        const lines = parseLog(pod, (await this.o.api.podLog(pod, read)) ?? '', after);
        for (const line of lines) yield line;
        const last = lines.at(-1);
        if (last) after = parseCursor(last.cursor);
      }
      first = false;
      if (!options.follow || options.signal?.aborted) return;
      const aborted = await sleep(this.pollMs, options.signal);
      if (aborted) return;
    }
  }

  /** Not read: the metrics API (metrics.k8s.io) is an add-on this runtime does not depend on. */
  async usage(_instanceId: string): Promise<InstanceUsage | undefined> {
    return undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  // --- internals

  private handleOf(spec: InstanceSpec, restarts: number): KubernetesHandle {
    return {
      runtime: 'kubernetes',
      address: serviceAddress(spec, this.o),
      namespace: this.o.namespace,
      deployment: deploymentName(spec),
      restarts,
    };
  }

  private parseHandle(handle: InstanceHandle, spec: InstanceSpec): KubernetesHandle {
    return parseKubernetesHandle(handle, spec, this.o.namespace);
  }

  private track(spec: InstanceSpec, handle: KubernetesHandle, adopted: boolean): Tracked {
    const t: Tracked = {
      spec,
      handle,
      status: { instanceId: spec.instanceId, state: 'starting', address: handle.address, restarts: handle.restarts },
      everReady: false,
      podRestarts: 0,
      baseline: adopted,
    };
    this.tracked.set(spec.instanceId, t);
    this.known.set(spec.instanceId, spec);
    return t;
  }

  /** Create the release's Service (once) and the instance's Deployment; a 409 for our own object is success. */
  private async create(t: Tracked): Promise<InstanceHandle> {
    const { api } = this.o;
    try {
      const service = serviceFor(t.spec, this.o);
      if (!(await api.readService(service.metadata!.name!)))
        await api.createService(service).catch((err) => {
          if (!(err instanceof RuntimeError && err.code === 'conflict')) throw err;
        });
      const deployment = deploymentFor(t.spec, this.o);
      await api.createDeployment(deployment).catch(async (err) => {
        if (!(err instanceof RuntimeError && err.code === 'conflict')) throw err;
        const found = await api.readDeployment(deployment.metadata!.name!);
        if (found?.metadata?.annotations?.['slipway.dev/instance-id'] !== t.spec.instanceId) throw err;
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.setStatus(t, { state: 'failed', message });
      throw err instanceof RuntimeError && err.code === 'unavailable'
        ? err
        : new RuntimeError('failed', `instance ${t.spec.instanceId}: ${message}`, { instanceId: t.spec.instanceId });
    }
    this.setStatus(t, { state: 'starting' });
    this.logger.info({ instanceId: t.spec.instanceId, deployment: t.handle.deployment }, 'created deployment');
    this.schedulePoll();
    return { ...t.handle };
  }

  private schedulePoll(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      void this.poll().finally(() => {
        this.timer = undefined;
        if (this.tracked.size > 0) this.schedulePoll();
      });
    }, this.pollMs);
    this.timer.unref();
  }

  /** One look at the namespace: every pod and Deployment of Slipway's, matched to the instances here. */
  async poll(): Promise<void> {
    if (this.tracked.size === 0 || this.closed) return;
    let pods: V1Pod[];
    let deployments: Set<string>;
    try {
      pods = await this.o.api.listPods(allOurs);
      deployments = new Set((await this.o.api.listDeployments(allOurs)).map((d) => d.metadata?.name ?? ''));
      this.pollFailing = false;
    } catch (err) {
      // The pods may well be serving: an unreachable API server leaves states as they were, said once.
      if (!this.pollFailing) this.logger.warn({ err: (err as Error).message }, 'kubernetes: cannot list pods');
      this.pollFailing = true;
      return;
    }
    const byInstance = new Map<string, V1Pod[]>();
    for (const pod of pods) {
      const key = pod.metadata?.labels?.[label.instance] ?? '';
      byInstance.set(key, [...(byInstance.get(key) ?? []), pod]);
    }
    for (const t of [...this.tracked.values()]) {
      if (t.stopping || t.starting || t.status.state === 'failed') continue;
      if (!deployments.has(t.handle.deployment)) {
        this.crash(t, { code: null, signal: null, at: Date.now() }, [], `deployment ${t.handle.deployment} is gone`);
        await this.create(t).catch(() => undefined);
        continue;
      }
      await this.observe(t, currentPod(byInstance.get(instanceLabels(t.spec)[label.instance]!) ?? []));
    }
  }

  private async observe(t: Tracked, pod: V1Pod | undefined): Promise<void> {
    const view = podView(pod, t.everReady);
    if (view.pod && view.pod !== t.pod) {
      if (t.pod)
        this.crash(t, view.lastExit ?? { code: null, signal: null, at: Date.now() }, [], `pod ${t.pod} is gone`);
      t.pod = view.pod;
      t.podRestarts = t.baseline ? view.restarts : 0;
      t.baseline = false;
    }
    if (view.pod && view.restarts > t.podRestarts) {
      const tail = await this.o.api.podLog(view.pod, { previous: true, tailLines: 20 }).catch(() => undefined);
      const logTail = parseLog(view.pod, tail ?? '').map((l) => l.text);
      for (let i = t.podRestarts; i < view.restarts; i++)
        this.crash(t, view.lastExit ?? { code: null, signal: null, at: Date.now() }, logTail);
      t.podRestarts = view.restarts;
    }
    if (view.state === 'healthy') t.everReady = true;
    const change = { state: view.state, message: view.message, ...(view.lastExit ? { lastExit: view.lastExit } : {}) };
    // A new message alone (a back-off counting up) is not a new state: kept, not an event.
    if (view.state !== t.status.state) this.setStatus(t, change);
    else t.status = { ...t.status, ...change };
  }

  /** An unexpected exit: `crashed`, the exit event, and the handle with one more restart. */
  private crash(t: Tracked, exit: InstanceExit, logTail: string[], reason?: string): void {
    t.handle = { ...t.handle, restarts: t.handle.restarts + 1 };
    this.setStatus(t, { state: 'crashed', restarts: t.handle.restarts, lastExit: exit, message: reason });
    this.emit({ type: 'exit', instanceId: t.spec.instanceId, exit, logTail, ...(reason ? { reason } : {}) });
    this.emit({ type: 'handle', instanceId: t.spec.instanceId, handle: { ...t.handle } });
  }

  private setStatus(t: Tracked, change: Partial<InstanceStatus>): void {
    const next: InstanceStatus = { ...t.status, ...change };
    if (next.message === undefined) delete next.message;
    t.status = next;
    this.emit({ type: 'state', status: { ...next } });
  }

  private emit(event: RuntimeEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.logger.error({ err: (err as Error).message, event: event.type }, 'runtime event listener threw');
      }
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new RuntimeError('unavailable', 'the Kubernetes runtime is closed');
  }
}

/** Wait `ms`, or less when `signal` aborts; true when it aborted. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(true);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(false);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(true);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
