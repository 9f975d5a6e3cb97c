import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi } from '../../../test/support/api-harness.js';
import { engineHarness, type Harness } from '../../../test/support/engine-harness.js';
import { until } from '../../../test/support/processes.js';
import { newId } from '../../shared/ids.js';
import { appendEvent } from '../../store/repos/events.js';
import { insertToken } from '../../store/repos/tokens.js';
import { generateToken, hashToken } from '../auth.js';
import { OverviewCache } from './cache.js';
import type { Overview } from './view.js';

/**
 * GET /api/v1/projects/:project/overview on a real engine and store: the slim answer, kept in memory yet never behind
 * the events it follows (a deployment's, and one written by another transaction without passing through the engine).
 */
let h: Harness;
let app: FastifyInstance;
const admin = generateToken();
const stagingViewer = generateToken();

const overview = async (token = admin, project = 'harbor') => {
  const res = await app.inject({
    url: `/api/v1/projects/${project}/overview`,
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.statusCode, type: res.headers['content-type'], body: res.json() as Overview };
};
const api = (o: Overview, environment: string) =>
  o.environments.find((e) => e.name === environment)!.services.find((s) => s.service === 'api')!;

beforeAll(async () => {
  h = await engineHarness();
  for (const [name, token, environments] of [
    ['admin', admin, '*'],
    ['staging-viewer', stagingViewer, ['staging']],
  ] as const) {
    await insertToken(h.db, {
      id: newId('tok'),
      name,
      hash: hashToken(token),
      grants: [{ role: name === 'admin' ? 'admin' : 'viewer', environments: environments as '*' | string[] }],
    });
  }
  h.runtime.behaviour = () => 'healthy';
  // No refresh by age: an answer changes only through events here, so the test shows that they are enough.
  app = await testApi(h, { overview: new OverviewCache(h.events, Number.POSITIVE_INFINITY) });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await h?.close();
});

describe('the overview API', () => {
  it('answers what the overview shows, and follows each deployment without a stale read', async () => {
    const before = await overview();
    expect(before.status).toBe(200);
    expect(before.type).toMatch(/^application\/json/);
    expect(api(before.body, 'staging')).toEqual({
      service: 'api',
      stable: null,
      traffic: [],
      instances: { running: 0, healthy: 0 },
      active: null,
      last: null,
    });
    const d = await h.engine.deploy({ project: 'harbor', service: 'api', environment: 'staging', version: '1.0.0' });
    // Read while it runs: the answer is the in-flight deployment with its step, not the cached "never deployed".
    const during = api((await overview()).body, 'staging');
    expect(during.active).toMatchObject({ id: d.id, version: '1.0.0', kind: 'deploy', paused: false });
    expect(during.active!.steps).toBeGreaterThan(2);
    expect(during.active!.stepDescription).toEqual(expect.any(String));
    await h.waitFinished(d.id);
    const after = api((await overview()).body, 'staging');
    expect(after).toMatchObject({
      stable: '1.0.0',
      traffic: [{ release: '1.0.0', role: 'stable', weight: 100 }],
      instances: { running: 2, healthy: 2 },
      active: null,
      last: { id: d.id, version: '1.0.0', state: 'succeeded' },
    });
    expect(after.last!.finishedAt).toEqual(expect.any(String));
    // The second read of an unchanged project is the same answer (from memory).
    expect(api((await overview()).body, 'staging')).toEqual(after);
  }, 60_000);

  it('an event stored by another transaction (not through the engine) makes the next reads current', async () => {
    const first = await overview();
    expect(api(first.body, 'production').stable).toBeNull();
    // A change the cache cannot see by itself: a stable release set straight in the store, then its event appended
    // the way incidents and alerts append theirs (inside their own transaction). The event log's tail hands it over.
    await h.db.query(
      `insert into releases (id, project, service, version, spec, digest)
       values ('rel_manual', 'harbor', 'api', '9.9.9', '{}',
        'x')`,
    );
    await h.db.query(
      `insert into service_state (project, environment, service, stable_release) values ('harbor', 'production',
        'api', 'rel_manual')`,
    );
    expect(api((await overview()).body, 'production').stable).toBeNull(); // no event yet: the cached answer
    await appendEvent(h.db, {
      project: 'harbor',
      environment: 'production',
      kind: 'test.changed',
      message: 'x',
      data: {},
    });
    await until(
      'the overview to show the change',
      async () => api((await overview()).body, 'production').stable === '9.9.9',
    );
  }, 30_000);

  it('shows only the environments a viewer may see; an unknown project is a 404 naming it', async () => {
    const res = await overview(stagingViewer);
    expect(res.status).toBe(200);
    expect(res.body.environments.map((e) => e.name)).toEqual(['staging']);
    const missing = await overview(admin, 'nope');
    expect(missing.status).toBe(404);
    expect((missing.body as unknown as { error: { message: string } }).error.message).toMatch(/project "nope"/);
    const anonymous = await app.inject({ url: '/api/v1/projects/harbor/overview' });
    expect(anonymous.statusCode).toBe(401);
  });
});
