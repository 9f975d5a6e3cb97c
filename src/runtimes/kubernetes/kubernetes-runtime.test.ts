import type { V1ContainerStatus, V1Deployment, V1Pod } from '@kubernetes/client-node';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Service } from 'kubernetes-models/v1';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeApiServer } from '../../../test/support/kube-api-server.js';
import type { InstanceSpec, RuntimeEvent } from '../runtime.js';
import { KubeApi } from './kube-api.js';
import { KubernetesRuntime } from './kubernetes-runtime.js';
import { unknownFields } from './manifest-check.js';
import { deploymentFor, type ManifestOptions, serviceFor } from './manifests.js';
import { deploymentName, serviceName } from './names.js';

const options: ManifestOptions = {
  namespace: 'shop',
  image: 'registry.example.com/{service}:{version}',
  port: 8080,
  command: 'image',
  envFromSecrets: [],
};

let n = 0;
function spec(release = '1.4.0'): InstanceSpec {
  return {
    instanceId: `inst-${++n}`,
    project: 'harbor-quote',
    service: 'api',
    environment: 'production',
    release,
    command: 'node',
    args: ['server.js'],
    cwd: '/app',
    env: { LOG_LEVEL: 'info' },
    health: { path: '/healthz', intervalMs: 1000, timeoutMs: 1000, healthyThreshold: 1, unhealthyThreshold: 3 },
    drainTimeoutMs: 5000,
  };
}

/** A pod of the Deployment as the kubelet would report it. */
function podOf(d: V1Deployment, name: string, container: Partial<V1ContainerStatus>): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'shop',
      labels: d.spec!.template.metadata!.labels!,
      creationTimestamp: new Date().toISOString() as unknown as Date,
    },
    spec: d.spec!.template.spec!,
    status: {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'app',
          image: 'registry.example.com/api:1.4.0',
          imageID: '',
          ready: false,
          restartCount: 0,
          ...container,
        },
      ],
    },
  };
}

let server: KubeApiServer;
let url: string;
let runtime: KubernetesRuntime;
let events: RuntimeEvent[];

function runtimeOn(kubeServer: KubeApiServer, at: string): KubernetesRuntime {
  const r = new KubernetesRuntime({
    ...options,
    api: new KubeApi(kubeServer.kubeConfig(at), 'shop'),
    pollMs: 3_600_000,
  });
  r.subscribe((e) => events.push(e));
  return r;
}

beforeEach(async () => {
  server = new KubeApiServer();
  url = await server.listen();
  events = [];
  runtime = runtimeOn(server, url);
});
afterEach(async () => {
  await runtime.close();
  await server.close();
});

const states = (id: string) =>
  events.flatMap((e) => (e.type === 'state' && e.status.instanceId === id ? [e.status.state] : []));

describe('Kubernetes runtime against the API calls as data', () => {
  it('start creates the release Service and the instance Deployment with the exact requests', async () => {
    const s = spec();
    const handle = await runtime.start(s);
    const svc = serviceName(s);
    const dep = deploymentName(s);
    expect(handle).toEqual({
      runtime: 'kubernetes',
      address: `${svc}.shop.svc:8080`,
      namespace: 'shop',
      deployment: dep,
      restarts: 0,
    });
    const calls = server.calls();
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      `GET /api/v1/namespaces/shop/services/${svc}`,
      'POST /api/v1/namespaces/shop/services',
      'POST /apis/apps/v1/namespaces/shop/deployments',
    ]);
    for (const c of calls) expect(c.authorization).toBe(`Bearer ${server.token}`);
    expect(calls[1]!.query).toEqual({ fieldManager: 'slipway', fieldValidation: 'Strict' });
    expect(calls[1]!.contentType).toMatch(/^application\/json/);
    expect(calls[1]!.body).toEqual(serviceFor(s, options));
    expect(calls[2]!.query).toEqual({ fieldManager: 'slipway', fieldValidation: 'Strict' });
    expect(calls[2]!.body).toEqual(deploymentFor(s, options));
    // What went over the wire is what the schema accepts, not only what the pure function returned.
    expect(() => new Deployment(calls[2]!.body as never).validate()).not.toThrow();
    expect(() => new Service(calls[1]!.body as never).validate()).not.toThrow();
    expect(unknownFields(calls[2]!.body, 'V1Deployment')).toEqual([]);
    expect(runtime.list()).toEqual([
      { instanceId: s.instanceId, state: 'starting', address: handle.address, restarts: 0 },
    ]);

    // A second instance of the same release reuses the Service.
    const t = spec();
    await runtime.start(t);
    expect(
      server
        .calls()
        .slice(3)
        .map((c) => `${c.method} ${c.path}`),
    ).toEqual([`GET /api/v1/namespaces/shop/services/${svc}`, 'POST /apis/apps/v1/namespaces/shop/deployments']);
    // Idempotent: starting it again makes no call.
    const before = server.calls().length;
    expect(await runtime.start(t)).toMatchObject({ deployment: deploymentName(t) });
    expect(server.calls()).toHaveLength(before);
  });

  it('readiness, crashes and restarts come from pod status, with the log tail of the crashed container', async () => {
    const s = spec();
    await runtime.start(s);
    const d = server.deployments.get(deploymentName(s))!;
    server.pods.set('api-1', podOf(d, 'api-1', { state: { running: {} }, ready: false }));
    await runtime.poll();
    expect(runtime.list()[0]!.state).toBe('starting');
    server.pods.set('api-1', podOf(d, 'api-1', { state: { running: {} }, ready: true }));
    await runtime.poll();
    expect(runtime.list()[0]!.state).toBe('healthy');
    const listed = server.requests.filter((r) => r.path === '/api/v1/namespaces/shop/pods');
    expect(listed.at(-1)!.query).toEqual({ labelSelector: 'app.kubernetes.io/managed-by=slipway' });

    server.logs.set('api-1/previous', '2026-12-04T11:00:00.5Z listening\n2026-12-04T11:00:01Z panic: out of cheese\n');
    server.pods.set(
      'api-1',
      podOf(d, 'api-1', {
        restartCount: 1,
        ready: false,
        state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s' } },
        lastState: { terminated: { exitCode: 2, finishedAt: '2026-12-04T11:00:01Z' as unknown as Date } },
      }),
    );
    await runtime.poll();
    const exit = events.find((e) => e.type === 'exit');
    expect(exit).toEqual({
      type: 'exit',
      instanceId: s.instanceId,
      exit: { code: 2, signal: null, at: Date.parse('2026-12-04T11:00:01Z') },
      logTail: ['listening', 'panic: out of cheese'],
    });
    const logRead = server.requests.find((r) => r.path.endsWith('/pods/api-1/log'))!;
    expect(logRead.query).toEqual({ container: 'app', previous: 'true', tailLines: '20', timestamps: 'true' });
    expect(events.filter((e) => e.type === 'handle').at(-1)).toMatchObject({ handle: { restarts: 1 } });
    expect(runtime.list()[0]).toMatchObject({ state: 'crashed', restarts: 1 });
    server.pods.set('api-1', podOf(d, 'api-1', { restartCount: 1, state: { running: {} }, ready: true }));
    await runtime.poll();
    await runtime.poll();
    expect(states(s.instanceId)).toEqual(['starting', 'healthy', 'crashed', 'healthy']);
    expect(events.filter((e) => e.type === 'exit')).toHaveLength(1);
  });

  it('an image that cannot be pulled fails the instance, with the reason', async () => {
    const s = spec('9.9.9');
    await runtime.start(s);
    const d = server.deployments.get(deploymentName(s))!;
    server.pods.set(
      'api-x',
      podOf(d, 'api-x', { state: { waiting: { reason: 'ImagePullBackOff', message: 'manifest unknown' } } }),
    );
    await runtime.poll();
    expect(runtime.list()[0]).toMatchObject({ state: 'failed', message: 'ImagePullBackOff: manifest unknown' });
  });

  it('logs come from the pod log API, and resume after a cursor without repeats', async () => {
    const s = spec();
    await runtime.start(s);
    const d = server.deployments.get(deploymentName(s))!;
    server.pods.set('api-1', podOf(d, 'api-1', { state: { running: {} }, ready: true }));
    server.logs.set('api-1', '2026-12-04T11:00:00Z one\n2026-12-04T11:00:00.5Z two\n2026-12-04T11:00:02.25Z three\n');
    const lines = [];
    for await (const line of runtime.logs(s.instanceId, { tail: 2 })) lines.push(line);
    expect(lines.map((l) => l.text)).toEqual(['two', 'three']);
    const read = server.requests.filter((r) => r.path.endsWith('/log')).at(-1)!;
    expect(read.method).toBe('GET');
    expect(read.path).toBe('/api/v1/namespaces/shop/pods/api-1/log');
    expect(read.query).toEqual({ container: 'app', tailLines: '2', timestamps: 'true' });
    const podList = server.requests.filter((r) => r.path === '/api/v1/namespaces/shop/pods').at(-1)!;
    expect(podList.query.labelSelector).toBe(`slipway.dev/instance=${d.metadata!.labels!['slipway.dev/instance']}`);

    server.logs.set('api-1', `${server.logs.get('api-1')}2026-12-04T11:00:03Z four\n`);
    const more = [];
    for await (const line of runtime.logs(s.instanceId, { after: lines[0]!.cursor })) more.push(line.text);
    expect(more).toEqual(['three', 'four']);
    expect(Number(server.requests.filter((r) => r.path.endsWith('/log')).at(-1)!.query.sinceSeconds)).toBeGreaterThan(
      0,
    );

    await expect(async () => {
      for await (const _ of runtime.logs('never-started')) break;
    }).rejects.toMatchObject({ code: 'not_found' });
  });

  it('stop scales to 0, waits for the pod to go, deletes the Deployment, the Service with the last one', async () => {
    const a = spec();
    const b = spec();
    await runtime.start(a);
    await runtime.start(b);
    const da = server.deployments.get(deploymentName(a))!;
    server.pods.set('api-a', podOf(da, 'api-a', { state: { running: {} }, ready: true }));
    const mark = server.requests.length;
    // The kubelet: the pod goes once the Deployment is scaled to 0.
    const kubelet = setInterval(() => {
      if (server.deployments.get(deploymentName(a))?.spec?.replicas === 0) server.pods.delete('api-a');
    }, 20);
    try {
      await runtime.stop(a.instanceId);
    } finally {
      clearInterval(kubelet);
    }
    const calls = server.requests
      .slice(mark)
      .filter((r) => r.query.labelSelector?.startsWith('slipway.dev/instance') !== true);
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      `PATCH /apis/apps/v1/namespaces/shop/deployments/${deploymentName(a)}`,
      `DELETE /apis/apps/v1/namespaces/shop/deployments/${deploymentName(a)}`,
      'GET /apis/apps/v1/namespaces/shop/deployments',
    ]);
    expect(calls[0]!.contentType).toBe('application/merge-patch+json');
    expect(calls[0]!.body).toEqual({ spec: { replicas: 0 } });
    expect(calls[1]!.query).toEqual({ propagationPolicy: 'Background' });
    expect(calls[2]!.query.labelSelector).toBe(
      'app.kubernetes.io/managed-by=slipway,slipway.dev/project=harbor-quote,slipway.dev/service=api,' +
        'slipway.dev/environment=production,slipway.dev/release=1.4.0',
    );
    expect(server.services.has(serviceName(a))).toBe(true); // b still runs in the release
    expect(states(a.instanceId).slice(-2)).toEqual(['stopping', 'stopped']);
    expect(runtime.list().map((s) => s.instanceId)).toEqual([b.instanceId]);

    await runtime.stop(b.instanceId);
    expect(server.deployments.size).toBe(0);
    expect(server.services.size).toBe(0);
    expect(server.requests.at(-1)).toMatchObject({
      method: 'DELETE',
      path: `/api/v1/namespaces/shop/services/${serviceName(b)}`,
    });
    await runtime.stop(b.instanceId); // idempotent
  });

  it('a new coordinator adopts by handle; a Deployment deleted behind its back is an exit, made again', async () => {
    const s = spec();
    const handle = await runtime.start(s);
    await runtime.close();
    events = [];
    runtime = runtimeOn(server, url);
    const mark = server.requests.length;
    const [status] = await runtime.adopt([{ spec: s, handle }]);
    expect(status).toMatchObject({ instanceId: s.instanceId, state: 'starting', restarts: 0 });
    expect(server.requests.slice(mark).map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /apis/apps/v1/namespaces/shop/deployments/${deploymentName(s)}`,
    ]);
    await expect(runtime.adopt([{ spec: spec(), handle: { ...handle, runtime: 'local' } }])).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/handle runtime/),
    });
    await expect(runtime.adopt([{ spec: spec(), handle }])).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/handle deployment/),
    });

    server.deployments.delete(deploymentName(s));
    await runtime.poll();
    expect(events.find((e) => e.type === 'exit')).toMatchObject({
      reason: `deployment ${deploymentName(s)} is gone`,
    });
    expect(server.deployments.has(deploymentName(s))).toBe(true);
    expect(runtime.list()[0]).toMatchObject({ state: 'starting', restarts: 1 });
  });

  it('a create the API server refuses fails the start with its message, and lists the instance failed', async () => {
    const s = spec();
    server.refuseNext = {
      kind: 'deployments',
      code: 422,
      reason: 'Invalid',
      message: 'Deployment.apps "x" is invalid: spec.template.spec.containers[0].image: Required value',
    };
    await expect(runtime.start(s)).rejects.toMatchObject({
      code: 'failed',
      message: expect.stringMatching(/containers\[0\]\.image: Required value/),
    });
    expect(runtime.list()[0]).toMatchObject({ instanceId: s.instanceId, state: 'failed' });
  });

  it('an API server that does not answer: unavailable, naming it', async () => {
    await server.close();
    const s = spec();
    await expect(runtime.start(s)).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringContaining(`API server ${url}`),
    });
  });

  it('a token the API server refuses: unavailable, with its reason', async () => {
    const wrong = new KubeApiServer('another-token');
    const at = await wrong.listen();
    const r = new KubernetesRuntime({ ...options, api: new KubeApi(server.kubeConfig(at), 'shop'), pollMs: 3_600_000 });
    try {
      await expect(r.start(spec())).rejects.toMatchObject({ code: 'unavailable', message: /Unauthorized/ });
    } finally {
      await r.close();
      await wrong.close();
    }
  });
});
