import { createHash } from 'node:crypto';
import type { InstanceSpec } from '../runtime.js';

/**
 * Kubernetes names and labels for Slipway's instances and releases. Object names are DNS-1123 labels
 * (≤ 63 characters, lowercase letters, digits and '-', starting with a letter for a Service), label values
 * ≤ 63 characters of [A-Za-z0-9._-]: a release version like `1.4.0+build.7` is neither, so names carry a
 * readable prefix and a hash of the exact value, and the exact value travels in an annotation.
 */

export const label = {
  managedBy: 'app.kubernetes.io/managed-by',
  project: 'slipway.dev/project',
  service: 'slipway.dev/service',
  environment: 'slipway.dev/environment',
  release: 'slipway.dev/release',
  instance: 'slipway.dev/instance',
} as const;

export const annotation = {
  instanceId: 'slipway.dev/instance-id',
  release: 'slipway.dev/release-version',
} as const;

export const managedBy = 'slipway';

function hash(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** Lowercase letters, digits and single dashes; at most `max` characters; never starts or ends with '-'. */
function slug(text: string, max: number): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, max)
    .replace(/-+$/, '');
  return s === '' ? 'x' : s;
}

/** A label value that is the text itself when it is one, else a readable prefix and a hash of it. */
export function labelValue(text: string): string {
  if (/^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/.test(text)) return text;
  return `${slug(text, 50)}-${hash(text, 12)}`;
}

type Release = Pick<InstanceSpec, 'project' | 'service' | 'environment' | 'release'>;

/** The Service of a release: `slw-<service>-<environment>-<hash of project/service/environment/release>`. */
export function serviceName(r: Release): string {
  const key = JSON.stringify([r.project, r.service, r.environment, r.release]);
  return `slw-${slug(r.service, 24)}-${slug(r.environment, 16)}-${hash(key, 12)}`;
}

/** The Deployment of one instance: `slw-<service>-<hash of project and instance id>`. */
export function deploymentName(spec: Pick<InstanceSpec, 'project' | 'service' | 'instanceId'>): string {
  return `slw-${slug(spec.service, 30)}-${hash(JSON.stringify([spec.project, spec.instanceId]), 16)}`;
}

/** Labels every object of a release carries; the Service selects pods with exactly these. */
export function releaseLabels(r: Release): Record<string, string> {
  return {
    [label.managedBy]: managedBy,
    [label.project]: labelValue(r.project),
    [label.service]: labelValue(r.service),
    [label.environment]: labelValue(r.environment),
    [label.release]: labelValue(r.release),
  };
}

/** Labels of one instance's Deployment and pod. */
export function instanceLabels(spec: InstanceSpec): Record<string, string> {
  return { ...releaseLabels(spec), [label.instance]: labelValue(deploymentName(spec)) };
}

/** `key=value,…` for a list call's labelSelector. */
export function selector(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
