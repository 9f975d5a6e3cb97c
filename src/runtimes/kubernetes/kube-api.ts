import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
  type V1Pod,
  type V1Service,
} from '@kubernetes/client-node';
import { RuntimeError } from '../local/errors.js';

/**
 * The Kubernetes API calls the runtime makes, through @kubernetes/client-node, in one namespace. Each call's
 * failure becomes a RuntimeError naming the object and the API server's reason; a 404 on a read or delete is
 * an answer (undefined / done), not an error.
 */

/** Where the cluster is: a kubeconfig (KUBECONFIG, ~/.kube/config, or in-cluster) and a context in it. */
export interface ClusterOptions {
  /** A kubeconfig file; absent: KUBECONFIG, ~/.kube/config, or the pod's service account. */
  kubeconfig?: string;
  context?: string;
}

export function loadKubeConfig(o: ClusterOptions): KubeConfig {
  const kc = new KubeConfig();
  if (o.kubeconfig) kc.loadFromFile(o.kubeconfig);
  else kc.loadFromDefault();
  if (o.context) {
    if (!kc.getContexts().some((c) => c.name === o.context))
      throw new RuntimeError('invalid_input', `kubernetes: context ${o.context} is not in the kubeconfig`, {
        field: 'runtime.kubernetes.context',
      });
    kc.setCurrentContext(o.context);
  }
  if (!kc.getCurrentCluster())
    throw new RuntimeError('unavailable', 'kubernetes: no cluster in the kubeconfig (set KUBECONFIG or kubeconfig:)');
  return kc;
}

const fieldManager = 'slipway';

export class KubeApi {
  private readonly apps: AppsV1Api;
  private readonly core: CoreV1Api;
  readonly server: string;

  constructor(
    kc: KubeConfig,
    readonly namespace: string,
  ) {
    this.apps = kc.makeApiClient(AppsV1Api);
    this.core = kc.makeApiClient(CoreV1Api);
    this.server = kc.getCurrentCluster()?.server ?? '?';
  }

  private fail(what: string, err: unknown): RuntimeError {
    if (err instanceof ApiException) {
      const body = typeof err.body === 'string' ? safeJson(err.body) : err.body;
      const reason = (body as { message?: string } | undefined)?.message ?? `HTTP ${err.code}`;
      const code = err.code === 409 ? 'conflict' : err.code === 401 || err.code === 403 ? 'unavailable' : 'failed';
      return new RuntimeError(code, `kubernetes: ${what} in namespace ${this.namespace}: ${reason}`, {
        status: err.code,
      });
    }
    const cause = (err as { code?: string; message?: string }) ?? {};
    return new RuntimeError(
      'unavailable',
      `kubernetes: API server ${this.server} did not answer (${what}): ${cause.code ?? cause.message ?? String(err)}`,
      {},
      { cause: err },
    );
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw this.fail(what, err);
    }
  }

  private async read<T>(what: string, run: () => Promise<T>): Promise<T | undefined> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return undefined;
      throw this.fail(what, err);
    }
  }

  createDeployment(body: V1Deployment): Promise<V1Deployment> {
    const namespace = this.namespace;
    return this.call(`create deployment ${body.metadata?.name}`, () =>
      this.apps.createNamespacedDeployment({ namespace, body, fieldManager, fieldValidation: 'Strict' }),
    );
  }

  readDeployment(name: string): Promise<V1Deployment | undefined> {
    return this.read(`read deployment ${name}`, () =>
      this.apps.readNamespacedDeployment({ name, namespace: this.namespace }),
    );
  }

  async listDeployments(labelSelector: string): Promise<V1Deployment[]> {
    const list = await this.call(`list deployments ${labelSelector}`, () =>
      this.apps.listNamespacedDeployment({ namespace: this.namespace, labelSelector }),
    );
    return list.items;
  }

  /** Scale with a merge patch: only spec.replicas changes. */
  scaleDeployment(name: string, replicas: number): Promise<V1Deployment | undefined> {
    return this.read(`scale deployment ${name}`, () =>
      this.apps.patchNamespacedDeployment(
        { name, namespace: this.namespace, body: { spec: { replicas } }, fieldManager },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
  }

  async deleteDeployment(name: string): Promise<void> {
    await this.read(`delete deployment ${name}`, () =>
      this.apps.deleteNamespacedDeployment({ name, namespace: this.namespace, propagationPolicy: 'Background' }),
    );
  }

  createService(body: V1Service): Promise<V1Service> {
    const namespace = this.namespace;
    return this.call(`create service ${body.metadata?.name}`, () =>
      this.core.createNamespacedService({ namespace, body, fieldManager, fieldValidation: 'Strict' }),
    );
  }

  readService(name: string): Promise<V1Service | undefined> {
    return this.read(`read service ${name}`, () =>
      this.core.readNamespacedService({ name, namespace: this.namespace }),
    );
  }

  async deleteService(name: string): Promise<void> {
    await this.read(`delete service ${name}`, () =>
      this.core.deleteNamespacedService({ name, namespace: this.namespace }),
    );
  }

  async listPods(labelSelector: string): Promise<V1Pod[]> {
    const list = await this.call(`list pods ${labelSelector}`, () =>
      this.core.listNamespacedPod({ namespace: this.namespace, labelSelector }),
    );
    return list.items;
  }

  /** The pod's log with timestamps; undefined when the pod is gone. */
  podLog(
    name: string,
    o: { tailLines?: number; sinceSeconds?: number; previous?: boolean },
  ): Promise<string | undefined> {
    return this.read(`read log of pod ${name}`, () =>
      this.core.readNamespacedPodLog({ name, namespace: this.namespace, container: 'app', timestamps: true, ...o }),
    );
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 200) };
  }
}
