import { type AdminApi, adminApi, storedToken } from '../../test/support/api-harness.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from '../../test/support/engine-harness.js';
import { appendEvent } from '../store/repos/events.js';

/** GET /kpis and the gauges at /metrics on a real engine (fake runtime): one deployment per environment. */
let api: AdminApi;
let h: Harness;
let app: FastifyInstance;
let admin: string;
let stagingViewer: string;

beforeAll(async () => {
  api = await adminApi();
  ({ h, app, admin } = api);
  stagingViewer = await storedToken(h.db, 'st', [{ role: 'viewer', environments: ['staging'] }]);
  h.runtime.behaviour = () => 'healthy';
  for (const environment of ['staging', 'production']) {
    const d = await h.engine.deploy({ project: 'harbor', service: 'api', environment, version: '1.0.0' });
    await h.waitFinished(d.id);
  }
  const d = await h.engine.deploy({ project: 'harbor', service: 'api', environment: 'production', version: '1.0.1' });
  await h.waitFinished(d.id);
  await appendEvent(h.db, {
    project: 'harbor',
    environment: 'production',
    kind: 'incident.opened',
    message: 'opened',
    data: { incident: 'inc_1', severity: 'sev2', links: { deployments: [d.id] } },
  });
}, 60_000);
afterAll(async () => {
  await api?.close();
});

const get = (url: string, token = admin) => app.inject({ url, headers: { authorization: `Bearer ${token}` } });

describe('GET /api/v1/projects/:project/kpis', () => {
  it('every environment with its figures and targets', async () => {
    const res = await get('/api/v1/projects/harbor/kpis?since=1d');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.environments.map((e: { environment: string }) => e.environment)).toEqual(['staging', 'production']);
    const production = body.environments[1].kpis;
    expect(production.deployments).toEqual({ finished: 2, succeeded: 2, rolledBack: 0, failed: 0 });
    expect(production.changeFailureRate).toEqual({ value: 0.5, failedChanges: 1 });
    expect(production.incidents).toEqual({ opened: 1, open: 1 });
    expect(production.successRate.check).toEqual({ target: '≥ 99.5 %', status: 'pass' });
    // Staging never failed, seconds ago: MTBF is not known yet (not a pass, nor a miss), and the check says why.
    expect(body.environments[0].kpis.mtbf).toEqual({
      ...{ valueMs: null, failures: 0, upMs: expect.any(Number) },
      check: {
        target: '≥ 30d',
        status: 'unknown',
        note: expect.stringMatching(/^no failure in \S+ of history; needs 30d to judge$/),
      },
    });
  });

  it('a viewer of staging sees staging only; asking for production is refused', async () => {
    const res = await get('/api/v1/projects/harbor/kpis', stagingViewer);
    expect(res.json().environments.map((e: { environment: string }) => e.environment)).toEqual(['staging']);
    expect((await get('/api/v1/projects/harbor/kpis?environment=production', stagingViewer)).statusCode).toBe(403);
  });

  it('bad input is a 400 or 404 naming it', async () => {
    const bad = await get('/api/v1/projects/harbor/kpis?since=yesterday');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/since: "yesterday"/);
    expect((await get('/api/v1/projects/harbor/kpis?environment=qa')).json().error.message).toMatch(/"qa" is not/);
    expect((await get('/api/v1/projects/harbor/kpis?service=db')).statusCode).toBe(404);
  });

  it('the gauges at /metrics', async () => {
    const text = (await get('/metrics')).body;
    expect(text).toContain('slipway_kpi{project="harbor",environment="production",kpi="change_failure_ratio"} 0.5');
    expect(text).toContain(
      'slipway_kpi_target_met{project="harbor",environment="production",kpi="deployment_success_ratio"} 1',
    );
    // No data is no sample, for MTBF too.
    expect(text).not.toContain('slipway_kpi_target_met{project="harbor",environment="staging",kpi="mtbf_seconds"}');
    expect(text).not.toContain('slipway_kpi{project="harbor",environment="staging",kpi="mtbf_seconds"}');
  });
});
