import type { V1Deployment, V1EnvVar, V1Service } from '@kubernetes/client-node';
import type { InstanceSpec } from '../runtime.js';
import { annotation, deploymentName, instanceLabels, label, releaseLabels, serviceName } from './names.js';

/**
 * The objects one instance needs, as plain data (pure functions, no API calls): a Deployment with one
 * replica per instance, and a ClusterIP Service per release that selects every pod of the release. Slipway's
 * proxy routes to the Service, so a release's weight is the proxy's as with every other runtime.
 *
 * One Deployment per instance rather than one per release scaled to N: the engine stops, drains and replaces
 * instances one at a time (rolling, a crashed canary); scaling a shared Deployment down lets Kubernetes
 * choose which pod goes, so Slipway could not drain the one it meant.
 */

export interface ManifestOptions {
  namespace: string;
  /** Image reference; `{service}` and `{version}` are filled in, e.g. registry.example.com/{service}:{version}. */
  image: string;
  /** The port the container listens on (PORT in its environment, `{port}` in args); the Service's port too. */
  port: number;
  /** `image`: run the image's own entrypoint; `service`: the service's command and args (and cwd). */
  command: 'image' | 'service';
  /** Kubernetes Secrets whose keys become environment variables (envFrom); Slipway's secrets stay here. */
  envFromSecrets: string[];
}

export function imageOf(spec: Pick<InstanceSpec, 'service' | 'release'>, template: string): string {
  return template.replaceAll('{service}', spec.service).replaceAll('{version}', spec.release);
}

function environment(spec: InstanceSpec, port: number): V1EnvVar[] {
  const env: Record<string, string> = {
    ...spec.env,
    PORT: String(port),
    SLIPWAY_INSTANCE: spec.instanceId,
    SLIPWAY_SERVICE: spec.service,
    SLIPWAY_ENVIRONMENT: spec.environment,
    SLIPWAY_RELEASE: spec.release,
  };
  return Object.entries(env)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => ({ name, value }));
}

const seconds = (ms: number, min: number) => Math.max(min, Math.ceil(ms / 1000));

export function deploymentFor(spec: InstanceSpec, o: ManifestOptions): V1Deployment {
  const labels = instanceLabels(spec);
  const args = spec.args.map((a) => a.replaceAll('{port}', String(o.port)));
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: deploymentName(spec),
      namespace: o.namespace,
      labels,
      annotations: { [annotation.instanceId]: spec.instanceId, [annotation.release]: spec.release },
    },
    spec: {
      replicas: 1,
      selector: {
        matchLabels: { [label.managedBy]: labels[label.managedBy]!, [label.instance]: labels[label.instance]! },
      },
      // One pod per instance: a changed pod template replaces it rather than running two.
      strategy: { type: 'Recreate' },
      template: {
        metadata: {
          labels,
          annotations: { [annotation.instanceId]: spec.instanceId, [annotation.release]: spec.release },
        },
        spec: {
          terminationGracePeriodSeconds: seconds(spec.drainTimeoutMs, 0),
          containers: [
            {
              name: 'app',
              image: imageOf(spec, o.image),
              ...(o.command === 'service' ? { command: [spec.command], args, workingDir: spec.cwd } : {}),
              ports: [{ name: 'http', containerPort: o.port, protocol: 'TCP' }],
              env: environment(spec, o.port),
              ...(o.envFromSecrets.length > 0
                ? { envFrom: o.envFromSecrets.map((name) => ({ secretRef: { name } })) }
                : {}),
              // Readiness only: an unhealthy instance is reported, not restarted (the Runtime contract).
              readinessProbe: {
                httpGet: { path: spec.health.path, port: 'http' },
                periodSeconds: seconds(spec.health.intervalMs, 1),
                timeoutSeconds: seconds(spec.health.timeoutMs, 1),
                successThreshold: spec.health.healthyThreshold,
                failureThreshold: spec.health.unhealthyThreshold,
              },
            },
          ],
        },
      },
    },
  };
}

export function serviceFor(spec: InstanceSpec, o: ManifestOptions): V1Service {
  const labels = releaseLabels(spec);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: serviceName(spec),
      namespace: o.namespace,
      labels,
      annotations: { [annotation.release]: spec.release },
    },
    spec: {
      type: 'ClusterIP',
      selector: labels,
      ports: [{ name: 'http', port: o.port, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}

/** Where the proxy reaches a release: its Service's cluster DNS name. */
export function serviceAddress(spec: InstanceSpec, o: Pick<ManifestOptions, 'namespace' | 'port'>): string {
  return `${serviceName(spec)}.${o.namespace}.svc:${o.port}`;
}
