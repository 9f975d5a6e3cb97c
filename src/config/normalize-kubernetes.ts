import path from 'node:path';
import { parseDuration } from '../shared/duration.js';
import type { KubernetesRuntimeConfig } from './model.js';
import type { ParsedConfig } from './schema.js';

type ParsedKubernetes = NonNullable<ParsedConfig['runtime']['kubernetes']>;

/** `runtime.kubernetes` as the runtime takes it: the kubeconfig path absolute, the poll interval in ms. */
export function normalizeKubernetes(k: ParsedKubernetes, baseDir: string): KubernetesRuntimeConfig {
  return {
    namespace: k.namespace,
    ...(k.kubeconfig ? { kubeconfig: path.resolve(baseDir, k.kubeconfig) } : {}),
    ...(k.context ? { context: k.context } : {}),
    image: k.image,
    port: k.port,
    command: k.command,
    envFrom: k.envFrom,
    pollMs: parseDuration(k.pollInterval) ?? 2000, // the schema checked it
  };
}
