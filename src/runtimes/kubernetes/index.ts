/** The Kubernetes runtime: a Deployment per instance, a Service per release, states from pod status. */
export { KubernetesRuntime, type KubernetesRuntimeOptions } from './kubernetes-runtime.js';
export { KubeApi, loadKubeConfig, type ClusterOptions } from './kube-api.js';
export type { KubernetesHandle } from './kubernetes-handle.js';
export type { ManifestOptions } from './manifests.js';
