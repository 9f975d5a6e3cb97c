import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { fixtureSpec, waitFor } from '../support/local-runtime.js';
import { KubeApi, KubernetesRuntime, loadKubeConfig } from '../../src/runtimes/kubernetes/index.js';
import { deploymentName, instanceLabels, label, selector } from '../../src/runtimes/kubernetes/names.js';
import type { InstanceHandle, InstanceSpec } from '../../src/runtimes/runtime.js';
import {
  describeRuntimeContract,
  type InstanceKind,
  type RuntimeSubject,
} from '../../src/runtimes/runtime.contract.js';

/**
 * The Runtime contract against a real cluster: `npm run test:kubernetes` with KUBECONFIG set (never part of
 * `npm test`; scripts/test-kubernetes.mjs refuses to run without a cluster). Instances run the same fixture
 * as the local runtime's contract (test/fixtures/instance-server.mjs) with `node -e` in SLIPWAY_K8S_IMAGE
 * (default node:20-alpine, which the cluster must be able to pull), in SLIPWAY_K8S_NAMESPACE (default
 * slipway-test, which must exist). Faults and prints reach the pod through the API server's pod proxy.
 *
 * Never run on the machine it was written on (no cluster there): see the README's Kubernetes section.
 */

const namespace = process.env.SLIPWAY_K8S_NAMESPACE ?? 'slipway-test';
const image = process.env.SLIPWAY_K8S_IMAGE ?? 'node:20-alpine';
const port = 8080;
const fixture = readFileSync(new URL('../fixtures/instance-server.mjs', import.meta.url), 'utf8');

const fixtureEnv: Record<InstanceKind, Record<string, string>> = {
  healthy: {},
  unhealthy: { FAIL_HEALTH: '1' },
  booting: { SLOW_START_MS: '600000' },
  unstartable: {},
  stubborn: { IGNORE_SIGTERM: '1' },
};

/** Is the instance's Deployment there with a pod not being deleted? Asked in a child process: `alive` is sync. */
function aliveNow(deployment: string): boolean {
  const script = `
    import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
    const kc = new KubeConfig(); kc.loadFromDefault();
    const ns = ${JSON.stringify(namespace)}, name = ${JSON.stringify(deployment)};
    const apps = kc.makeApiClient(AppsV1Api), core = kc.makeApiClient(CoreV1Api);
    const d = await apps.readNamespacedDeployment({ name, namespace: ns }).catch(() => undefined);
    const sel = d ? Object.entries(d.spec.selector.matchLabels).map(([k, v]) => k + '=' + v).join(',') : '';
    const pods = d ? (await core.listNamespacedPod({ namespace: ns, labelSelector: sel })).items : [];
    process.stdout.write(pods.some((p) => !p.metadata.deletionTimestamp && p.status.phase === 'Running') ? '1' : '0');`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  return r.stdout === '1';
}

async function clusterSubject(): Promise<RuntimeSubject> {
  const kc = loadKubeConfig({});
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const api = new KubeApi(kc, namespace);
  const specs = new Map<string, InstanceSpec>();
  const runtimes: KubernetesRuntime[] = [];
  const create = () => {
    const r = new KubernetesRuntime({
      api,
      namespace,
      image,
      port,
      command: 'service',
      envFromSecrets: [],
      pollMs: 1000,
    });
    runtimes.push(r);
    return r;
  };
  const podOf = async (instanceId: string) => {
    const mine = selector({ [label.instance]: instanceLabels(specs.get(instanceId)!)[label.instance]! });
    const pods = (await api.listPods(mine)).filter((p) => !p.metadata?.deletionTimestamp);
    return pods[0]!.metadata!.name!;
  };
  const post = async (instanceId: string, path: string) =>
    core.connectPostNamespacedPodProxyWithPath({ name: `${await podOf(instanceId)}:${port}`, namespace, path });
  return {
    runtime: create(),
    spec(kind, options = {}) {
      const base = fixtureSpec({
        cwd: '/',
        env: { ...fixtureEnv[kind], SLIPWAY_LISTEN_HOST: '0.0.0.0' },
        ...(options.drainTimeoutMs === undefined ? {} : { drainTimeoutMs: options.drainTimeoutMs }),
      });
      const spec: InstanceSpec = {
        ...base,
        command: kind === 'unstartable' ? '/no-such-command' : 'node',
        args: ['--input-type=module', '-e', fixture],
      };
      specs.set(spec.instanceId, spec);
      return spec;
    },
    async cause({ instanceId }, fault) {
      const path = { 'fail-health': 'fail-health', 'pass-health': 'pass-health' }[fault as string] ?? 'crash';
      if (fault === 'crash-for-good') {
        // The kubelet restarts from the image: only an image that cannot be pulled keeps the restart from running.
        await apps.patchNamespacedDeployment(
          {
            name: deploymentName(specs.get(instanceId)!),
            namespace,
            body: { spec: { template: { spec: { containers: [{ name: 'app', image: `${image}-no-such-tag` }] } } } },
          },
          setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
        );
      }
      await post(instanceId, path).catch(() => undefined);
    },
    async print({ instanceId }, line) {
      await post(instanceId, `log?line=${encodeURIComponent(line)}`);
    },
    alive: (handle: InstanceHandle) => aliveNow(handle.deployment as string),
    async kill(handle) {
      await api.deleteDeployment(handle.deployment as string);
      await waitFor('the deleted Deployment to be gone', () => !aliveNow(handle.deployment as string), 120_000);
    },
    reopen: create,
    async dispose() {
      for (const r of runtimes) {
        for (const s of r.list()) await r.stop(s.instanceId).catch(() => undefined);
        await r.close();
      }
    },
  };
}

describeRuntimeContract('kubernetes (a real cluster)', clusterSubject, { quietMs: 5000, timeoutMs: 180_000 });
