import type { InstanceHandle, InstanceSpec } from '../runtime.js';
import { RuntimeError } from '../local/errors.js';
import { deploymentName } from './names.js';

/** What the engine persists for an instance on Kubernetes: its Deployment, and the release's Service address. */
export type KubernetesHandle = InstanceHandle & {
  runtime: 'kubernetes';
  /** The release's Service, as cluster DNS name:port: what the proxy routes to. */
  address: string;
  namespace: string;
  deployment: string;
  restarts: number;
};

/** Check a handle the engine gives back; names the instance and field that is wrong. */
export function parseKubernetesHandle(handle: InstanceHandle, spec: InstanceSpec, namespace: string): KubernetesHandle {
  const bad = (field: string, problem: string) =>
    new RuntimeError('invalid_input', `instance ${spec.instanceId}: handle ${field} ${problem}`, {
      instanceId: spec.instanceId,
      field,
    });
  if (handle.runtime !== 'kubernetes') throw bad('runtime', `is ${JSON.stringify(handle.runtime)}, not "kubernetes"`);
  if (handle.namespace !== namespace)
    throw bad('namespace', `is ${JSON.stringify(handle.namespace)}, not ${namespace}`);
  if (handle.deployment !== deploymentName(spec))
    throw bad('deployment', `is ${JSON.stringify(handle.deployment)}, not this instance's (${deploymentName(spec)})`);
  if (typeof handle.address !== 'string' || handle.address === '') throw bad('address', 'must be host:port');
  const restarts = typeof handle.restarts === 'number' && handle.restarts >= 0 ? handle.restarts : 0;
  return { ...handle, runtime: 'kubernetes', namespace, deployment: handle.deployment, restarts };
}
