import { Deployment } from 'kubernetes-models/apps/v1';
import { Service } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import type { InstanceSpec } from '../runtime.js';
import { unknownFields } from './manifest-check.js';
import { deploymentFor, type ManifestOptions, serviceAddress, serviceFor } from './manifests.js';
import { deploymentName, serviceName } from './names.js';

const spec: InstanceSpec = {
  instanceId: 'inst-0f3a',
  project: 'harbor-quote',
  service: 'api',
  environment: 'production',
  release: '1.4.0+build.7',
  command: 'node',
  args: ['server.js', '--port', '{port}'],
  cwd: '/app',
  env: { LOG_LEVEL: 'info' },
  health: { path: '/healthz', intervalMs: 2000, timeoutMs: 1500, healthyThreshold: 2, unhealthyThreshold: 3 },
  drainTimeoutMs: 10_500,
};
const options: ManifestOptions = {
  namespace: 'shop',
  image: 'registry.example.com/{service}:{version}',
  port: 8080,
  command: 'image',
  envFromSecrets: [],
};

/** Validate with the schemas kubernetes-models compiles from the Kubernetes OpenAPI spec; throws naming the path. */
function validate(model: { validate(): void }) {
  model.validate();
}

describe('Kubernetes manifests', () => {
  it('a Deployment per instance that the Kubernetes schema accepts, with no field it does not know', () => {
    const d = deploymentFor(spec, options);
    expect(() => validate(new Deployment(d as never))).not.toThrow();
    expect(unknownFields(d, 'V1Deployment')).toEqual([]);
    const container = d.spec!.template.spec!.containers[0]!;
    expect(container.image).toBe('registry.example.com/api:1.4.0+build.7');
    expect(container.command).toBeUndefined();
    expect(container.env).toContainEqual({ name: 'PORT', value: '8080' });
    expect(container.env).toContainEqual({ name: 'SLIPWAY_RELEASE', value: '1.4.0+build.7' });
    expect(container.readinessProbe).toEqual({
      httpGet: { path: '/healthz', port: 'http' },
      periodSeconds: 2,
      timeoutSeconds: 2,
      successThreshold: 2,
      failureThreshold: 3,
    });
    expect(container.livenessProbe).toBeUndefined();
    expect(d.spec!.template.spec!.terminationGracePeriodSeconds).toBe(11);
    // The selector must match the template's labels, or the API server refuses the Deployment.
    for (const [k, v] of Object.entries(d.spec!.selector.matchLabels!))
      expect(d.spec!.template.metadata!.labels![k]).toBe(v);
  });

  it("runs the service's command when asked, with {port} filled in, and Kubernetes Secrets as envFrom", () => {
    const d = deploymentFor(spec, { ...options, command: 'service', envFromSecrets: ['api-secrets'] });
    expect(() => validate(new Deployment(d as never))).not.toThrow();
    expect(unknownFields(d, 'V1Deployment')).toEqual([]);
    const container = d.spec!.template.spec!.containers[0]!;
    expect(container.command).toEqual(['node']);
    expect(container.args).toEqual(['server.js', '--port', '8080']);
    expect(container.workingDir).toBe('/app');
    expect(container.envFrom).toEqual([{ secretRef: { name: 'api-secrets' } }]);
  });

  it('a Service per release selecting exactly the labels its pods carry', () => {
    const s = serviceFor(spec, options);
    expect(() => validate(new Service(s as never))).not.toThrow();
    expect(unknownFields(s, 'V1Service')).toEqual([]);
    const podLabels = deploymentFor(spec, options).spec!.template.metadata!.labels!;
    for (const [k, v] of Object.entries(s.spec!.selector!)) expect(podLabels[k]).toBe(v);
    const other = deploymentFor({ ...spec, release: '1.5.0' }, options).spec!.template.metadata!.labels!;
    expect(Object.entries(s.spec!.selector!).every(([k, v]) => other[k] === v)).toBe(false);
    expect(serviceAddress(spec, options)).toBe(`${serviceName(spec)}.shop.svc:8080`);
  });

  it('names and label values stay within what Kubernetes allows for any release version', () => {
    const long = { ...spec, service: 'a'.repeat(60), environment: 'E'.repeat(40), release: `v/${'9'.repeat(90)}` };
    const dns1123Label = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
    expect(serviceName(long)).toMatch(dns1123Label);
    expect(deploymentName(long)).toMatch(dns1123Label);
    const d = deploymentFor(long, options);
    for (const value of Object.values(d.metadata!.labels!))
      expect(value).toMatch(/^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/);
    expect(() => validate(new Deployment(d as never))).not.toThrow();
    expect(serviceName(long)).not.toBe(serviceName({ ...long, release: `v/${'9'.repeat(89)}8` }));
  });

  it('the checks fail on a manifest Kubernetes would refuse', () => {
    const d = deploymentFor(spec, options) as unknown as { spec: { replicas: unknown; template: { spec: object } } };
    d.spec.replicas = 'one';
    expect(() => validate(new Deployment(d as never))).toThrow(/replicas/);
    const typo = deploymentFor(spec, options) as unknown as { spec: { template: { spec: Record<string, unknown> } } };
    typo.spec.template.spec.terminationGracePeriod = 5;
    expect(unknownFields(typo, 'V1Deployment')).toEqual(['.spec.template.spec.terminationGracePeriod']);
    const noPorts = serviceFor(spec, options) as unknown as { spec: { ports: unknown } };
    noPorts.spec.ports = [{ name: 'http' }];
    expect(() => validate(new Service(noPorts as never))).toThrow(/port/);
  });
});
