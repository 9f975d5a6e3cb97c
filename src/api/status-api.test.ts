import { storedToken, testApi } from '../../test/support/api-harness.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineHarness, type Harness } from '../../test/support/engine-harness.js';
import { scheduleDeployment } from '../schedule/schedule.js';
import { addAvailability } from '../store/repos/availability.js';
import { appendEvent } from '../store/repos/events.js';

/** The status summary (JSON, with a token) and the public page (HTML, without one) on a real engine and store. */
let h: Harness;
let app: FastifyInstance;
let viewer: string;
const maintenanceAt = Date.parse('2030-01-02T22:00:00Z');

/** An incident.opened event in production, as the incidents capability writes it. */
const openedInProduction = (data: Record<string, unknown>) =>
  appendEvent(h.db, { project: 'harbor', environment: 'production', kind: 'incident.opened', message: 'opened', data });

beforeAll(async () => {
  h = await engineHarness();
  viewer = await storedToken(h.db, 'viewer', [{ role: 'viewer', environments: '*' }]);
  h.runtime.behaviour = () => 'healthy';
  for (const environment of ['staging', 'production']) {
    const d = await h.engine.deploy({ project: 'harbor', service: 'api', environment, version: '1.0.0' });
    await h.waitFinished(d.id);
  }
  // production: a sev4 incident, then a sev1 one; staging: a failed probe a minute ago (degraded), all others up.
  await openedInProduction({ incident: 'inc_5', severity: 'sev4', title: 'slow page', service: 'api' });
  await openedInProduction({
    incident: 'inc_7',
    severity: 'sev1',
    title: 'api 1.0.0 failing on 127.0.0.1:18082',
    service: 'api',
  });
  await openedInProduction({ incident: 'inc_6', severity: 'sev3', title: 'resolved one' });
  await appendEvent(h.db, { project: 'harbor', kind: 'incident.resolved', message: 'r', data: { incident: 'inc_6' } });
  await addAvailability(h.db, {
    project: 'harbor',
    environment: 'staging',
    service: 'api',
    at: new Date(Date.now() - 60_000),
    probes: 100,
    probeFailures: 1,
    requests: 0,
    errors5xx: 0,
  });
  // Maintenance announced in production (its notice went out), and one in staging not announced yet.
  const announced = await scheduleDeployment(
    h.db,
    'harbor',
    { service: 'api', environment: 'production', version: '1.1.0', runAt: new Date(maintenanceAt), notifyBeforeMs: 0 },
    'dana',
  );
  await h.db.query('update scheduled_deployments set noticed_at = now() where id = $1', [announced.id]);
  await scheduleDeployment(
    h.db,
    'harbor',
    { service: 'api', environment: 'staging', version: '1.1.0', runAt: new Date(maintenanceAt), notifyBeforeMs: 0 },
    'dana',
  );
  app = await testApi(h);
}, 60_000);
afterAll(async () => {
  await app?.close();
  await h?.close();
});

describe('status summary', () => {
  it('JSON per environment with the open incidents', async () => {
    const res = await app.inject({
      url: '/api/v1/projects/harbor/status-summary',
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(res.statusCode).toBe(200);
    const [staging, production] = res.json().environments;
    expect(staging).toMatchObject({ environment: 'staging', state: 'degraded', uptime30d: 0.99, openIncidents: [] });
    expect(production).toMatchObject({ environment: 'production', state: 'incident', uptime30d: null });
    // By severity, then start time: the sev1 above the sev4 that opened before it.
    expect(production.openIncidents).toEqual([
      expect.objectContaining({ id: 'inc_7', severity: 'sev1', service: 'api', title: expect.any(String) }),
      expect.objectContaining({ id: 'inc_5', severity: 'sev4' }),
    ]);
    expect(production.maintenance).toEqual([{ at: '2030-01-02T22:00:00.000Z' }]);
    expect(staging.maintenance).toEqual([]); // scheduled, but nobody was told yet
    expect((await app.inject({ url: '/api/v1/projects/harbor/status-summary' })).statusCode).toBe(401);
  });

  it('the HTML page needs no token and shows no internals', async () => {
    const res = await app.inject({ url: '/status/harbor' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(res.body).toContain('<h1>Incident in progress</h1>');
    expect(res.body).toMatch(/production <span[^>]*>incident<\/span>/);
    expect(res.body).toMatch(/staging <span[^>]*>degraded<\/span>/);
    expect(res.body).toMatch(/<li>sev1 since <time [^>]*>\d+ \w{3} \d{4} \d\d:\d\d UTC<\/time><\/li><li>sev4 since/);
    expect(
      res.body.match(/scheduled maintenance at <time datetime="2030-01-02T22:00:00.000Z">2 Jan 2030 22:00 UTC</g),
    ).toHaveLength(1);
    for (const internal of ['1.0.0', '1.1.0', '18082', '127.0.0.1', 'inc_7', 'sev3', 'dep_', 'rel_', 'sch_'])
      expect(res.body).not.toContain(internal);
  });

  it('with a trailing slash: the same page, not the dashboard app', async () => {
    const res = await app.inject({ url: '/status/harbor/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('<h1>Incident in progress</h1>');
    expect(res.body).toBe((await app.inject({ url: '/status/harbor' })).body);
  });

  it('/status/ without a project: a plain 404 page saying to use /status/<project>, no internals', async () => {
    const res = await app.inject({ url: '/status/' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(res.body).toContain('/status/&lt;project&gt;');
    for (const internal of ['params', 'Too small', 'login', 'harbor', '"error"'])
      expect(res.body).not.toContain(internal);
  });

  it('no project, an unknown one, a long name or more path after it: that same 404 page, never the app', async () => {
    const page = (await app.inject({ url: '/status/' })).body;
    for (const url of ['/status', '/status/nope', '/status/nope/', '/status/harbor/extra', '/status/harbor/a/b/']) {
      const res = await app.inject({ url });
      expect([url, res.statusCode, res.headers['content-type'], res.body]).toEqual([
        url,
        404,
        'text/html; charset=utf-8',
        page,
      ]);
      expect(res.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'");
    }
    expect((await app.inject({ url: `/status/${'x'.repeat(200)}` })).body).toBe(page);
    // A name the store cannot hold is no project's either: the page, not the JSON 400 of the API's input guard.
    for (const url of ['/status/harbor%00', '/status/%00/', '/status/harbor/a%00b', '/status/harbor?x=%00']) {
      const res = await app.inject({ url });
      expect([url, res.statusCode, res.headers['content-type'], res.body]).toEqual([
        url,
        url.includes('?') ? 200 : 404,
        'text/html; charset=utf-8',
        url.includes('?') ? expect.stringContaining('Incident in progress') : page,
      ]);
    }
  });
});
