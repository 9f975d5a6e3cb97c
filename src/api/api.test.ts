import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi } from '../../test/support/api-harness.js';
import { engineHarness, type Harness } from '../../test/support/engine-harness.js';
import { ensureAdminToken, generateToken } from './auth.js';

/** The API over the real engine and store (fake runtime and router): auth, validation, errors, OpenAPI, SSE. */
let h: Harness;
let app: FastifyInstance;
const token = generateToken();
const auth = { authorization: `Bearer ${token}` };
let shutdownCalls = 0;

beforeAll(async () => {
  h = await engineHarness();
  await ensureAdminToken(h.db, token);
  app = await testApi(h, { shutdown: () => void shutdownCalls++ });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await h?.close();
});

describe('authentication', () => {
  it('every route but /healthz needs a bearer token', async () => {
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    const routes = app.printRoutes({ commonPrefix: false });
    const checked = [
      '/api/v1/projects',
      '/api/v1/deployments',
      '/api/v1/instances',
      '/api/v1/events',
      '/metrics',
      '/api/v1/openapi.json',
      '/api/v1/projects/harbor/status',
    ];
    for (const url of checked) {
      const res = await app.inject({ url });
      expect({ url, status: res.statusCode }).toEqual({ url, status: 401 });
      expect(res.json().error.code).toBe('unauthorized');
    }
    expect(routes).toContain('deployments');
  });

  it('an unknown token, a malformed header: 401 saying which', async () => {
    const unknown = await app.inject({ url: '/api/v1/projects', headers: { authorization: 'Bearer slw_nope' } });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().error.message).toBe('unknown token');
    const basic = await app.inject({ url: '/api/v1/projects', headers: { authorization: 'Basic abc' } });
    expect(basic.json().error.message).toMatch(/missing bearer token/);
  });

  it('tokens are stored hashed', async () => {
    const { rows } = await h.db.query<{ hash: string }>('select hash from tokens');
    expect(rows.some((r) => r.hash.includes(token) || token.includes(r.hash))).toBe(false);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.hash))).toBe(true);
  });
});

describe('validation and errors', () => {
  it('a bad body is a 400 naming every field', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/projects/harbor/deployments',
      headers: auth,
      payload: { service: 'api', version: 7, set: { 'not a name': 'x' } },
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe('invalid_input');
    const paths = body.error.details.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['body.environment', 'body.version']));
  });

  it('unknown service, environment, project: 404 naming what exists', async () => {
    const svc = await app.inject({
      method: 'POST',
      url: '/api/v1/projects/harbor/deployments',
      headers: auth,
      payload: { service: 'nope', environment: 'staging', version: '1.0.0' },
    });
    expect(svc.statusCode).toBe(404);
    expect(svc.json().error.message).toMatch(/nope.*api/);
    const proj = await app.inject({ url: '/api/v1/projects/nope/status', headers: auth });
    expect(proj.statusCode).toBe(404);
    const route = await app.inject({ url: '/api/v1/nothing', headers: auth });
    expect(route.statusCode).toBe(404);
    expect(route.json().error.code).toBe('not_found');
  });

  it('a config with errors is refused with key paths, nothing applied', async () => {
    const res = await app.inject({
      method: 'PUT',
      url: '/api/v1/projects/harbor',
      headers: auth,
      payload: {
        baseDir: '/srv',
        config: {
          project: 'harbor',
          environments: { staging: { listen: 'nowhere' } },
          services: { api: { command: 'node', instances: 0 } },
        },
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/environments\.staging\.listen/);
    expect(res.json().error.message).toMatch(/services\.api\.instances/);
    const project = await app.inject({ url: '/api/v1/projects/harbor', headers: auth });
    expect(project.json().project.environments.map((e: { name: string }) => e.name)).toEqual(['staging', 'production']);
  });
});

describe('deployments over HTTP', () => {
  it('create → 201; its events stream as SSE until it finishes; a second one is a 409', async () => {
    h.runtime.behaviour = () => 'healthy';
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/projects/harbor/deployments',
      headers: auth,
      payload: { service: 'api', environment: 'staging', version: '1.0.0' },
    });
    expect(created.statusCode).toBe(201);
    const d = created.json().deployment;
    expect(d.to.version).toBe('1.0.0');
    expect(d.steps.map((s: { kind: string }) => s.kind)).toEqual(['scale', 'waitHealthy', 'setWeights', 'promote']);

    const sse = await app.inject({
      url: `/api/v1/deployments/${d.id}/events`,
      headers: { ...auth, accept: 'text/event-stream' },
    });
    expect(sse.headers['content-type']).toMatch(/text\/event-stream/);
    const frames = sse.body.split('\n\n').filter(Boolean);
    expect(frames.at(-1)).toBe('event: end\ndata: {}');
    expect(frames.some((f) => f.startsWith('id: ') && f.includes('event: deployment.finished'))).toBe(true);

    const json = await app.inject({ url: `/api/v1/deployments/${d.id}/events`, headers: auth });
    expect(json.json().events.map((e: { kind: string }) => e.kind)).toContain('traffic.shifted');

    h.runtime.behaviour = () => 'starting';
    const slow = await app.inject({
      method: 'POST',
      url: '/api/v1/projects/harbor/deployments',
      headers: auth,
      payload: { service: 'api', environment: 'staging', version: '2.0.0' },
    });
    const conflict = await app.inject({
      method: 'POST',
      url: '/api/v1/projects/harbor/deployments',
      headers: auth,
      payload: { service: 'api', environment: 'staging', version: '3.0.0' },
    });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().error.message).toContain(slow.json().deployment.id);
    const abort = await app.inject({
      method: 'POST',
      url: `/api/v1/deployments/${slow.json().deployment.id}/abort`,
      headers: auth,
      payload: { reason: 'test' },
    });
    expect(abort.statusCode).toBe(200);
    await h.waitFinished(slow.json().deployment.id);
    h.runtime.behaviour = () => 'healthy';
  }, 30_000);

  it('status shows stable release, traffic and instances per environment', async () => {
    const res = await app.inject({ url: '/api/v1/projects/harbor/status', headers: auth });
    expect(res.statusCode).toBe(200);
    const staging = res.json().environments.find((e: { name: string }) => e.name === 'staging');
    expect(staging.services[0]).toMatchObject({
      service: 'api',
      stable: '1.0.0',
      traffic: [{ release: '1.0.0', role: 'stable', weight: 100 }],
    });
    expect(staging.services[0].lastDeployment.state).toBe('rolled_back');
  });

  it('releases list env keys, never values', async () => {
    const res = await app.inject({ url: '/api/v1/projects/harbor/releases', headers: auth });
    const releases = res.json().releases;
    expect(releases.length).toBeGreaterThan(0);
    expect(JSON.stringify(releases)).not.toMatch(/"env"\s*:/);
  });
});

describe('OpenAPI and metrics', () => {
  it('serves an OpenAPI 3.1 document with every route and bearer security', async () => {
    const doc = (await app.inject({ url: '/api/v1/openapi.json', headers: auth })).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/projects/{project}/deployments',
        '/api/v1/deployments/{id}/events',
        '/api/v1/instances',
        '/api/v1/events',
        '/healthz',
      ]),
    );
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/healthz'].get.security).toEqual([]);
  });

  it('/metrics is Prometheus text with API and deployment figures', async () => {
    const res = await app.inject({ url: '/metrics', headers: auth });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(
      /slipway_api_requests_total\{method="POST",route="\/api\/v1\/projects\/:project\/deployments",status="201"\} \d+/,
    );
    expect(res.body).toMatch(/slipway_deployments\{state="succeeded"\} 1/);
    // The process's own figures (once per process, however many coordinators it holds).
    expect(res.body).toMatch(/^slipway_coordinator_process_cpu_seconds_total \d/m);
    expect(res.body).toMatch(/^slipway_coordinator_nodejs_eventloop_lag_p99_seconds \d/m);
    expect(res.body.match(/^# TYPE slipway_coordinator_process_cpu_seconds_total /gm)).toHaveLength(1);
  });

  it('shutdown needs the token and answers 202', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/system/shutdown', headers: auth, payload: {} });
    expect(res.statusCode).toBe(202);
  });
});

describe('event streams', () => {
  it(
    'SSE resumes after a Last-Event-ID; one that is not an event id is a 400 naming the header, not a stream ' +
      'that never ends',
    async () => {
      h.runtime.behaviour = () => 'healthy';
      const created = await app.inject({
        method: 'POST',
        url: '/api/v1/projects/harbor/deployments',
        headers: auth,
        payload: { service: 'api', environment: 'production', version: '4.0.0' },
      });
      expect(created.statusCode, created.body).toBe(201);
      const finished = created.json().deployment.id as string;
      await h.waitFinished(finished);
      const stream = (lastEventId: string) =>
        app.inject({
          url: `/api/v1/deployments/${finished}/events`,
          headers: { ...auth, accept: 'text/event-stream', 'last-event-id': lastEventId },
        });
      // Each stream opens with the reconnect delay, then the events, then `end`.
      const all = (await stream('')).body.split('\n\n').filter(Boolean);
      expect(all[0]).toBe('retry: 1000');
      expect(all.at(-1)).toBe('event: end\ndata: {}');
      const second = /^id: (\d+)$/m.exec(all[2]!)![1]!;
      const resumed = (await stream(second)).body.split('\n\n').filter(Boolean);
      expect(resumed).toEqual(['retry: 1000', ...all.slice(3)]);
      for (const bad of ['Infinity', '1e400', '1.5', '-3', 'abc', '99999999999999999999999']) {
        // Raced against a deadline: before the fix, these answered 200 and never ended.
        const res = await Promise.race([
          stream(bad),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${bad}: no end in 5 s`)), 5000)),
        ]);
        expect(res.statusCode, bad).toBe(400);
        expect(res.json().error.message, bad).toMatch(/^headers\.last-event-id: .*whole number/);
      }
    },
  );
});
