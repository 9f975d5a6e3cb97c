import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi } from '../../test/support/api-harness.js';
import { engineHarness, harnessConfig, type Harness } from '../../test/support/engine-harness.js';
import type { Grant } from '../access/types.js';
import { exportAudit } from '../access/audit/chain.js';
import { newId } from '../shared/ids.js';
import { listEvents } from '../store/repos/events.js';
import { insertToken } from '../store/repos/tokens.js';
import { generateToken, hashToken } from './auth.js';

/** Silences and alerts through the API: deployers silence, viewers read, bad input names the field; all audited. */
let h: Harness;
let app: FastifyInstance;
const tokens: Record<string, string> = {};
const people: Record<string, Grant[]> = {
  dana: [{ role: 'deployer', environments: ['staging'] }],
  vic: [{ role: 'viewer', environments: '*' }],
};

beforeAll(async () => {
  h = await engineHarness(harnessConfig());
  for (const [name, grants] of Object.entries(people)) {
    tokens[name] = generateToken();
    await insertToken(h.db, { id: newId('tok'), name, hash: hashToken(tokens[name]!), grants });
  }
  app = await testApi(h);
}, 60_000);
afterAll(async () => {
  await app?.close();
  await h?.close();
});

const as = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });
const silences = '/api/v1/projects/harbor/environments/staging/silences';
const add = (who: string, payload: Record<string, unknown>) =>
  app.inject({ method: 'POST', url: silences, headers: as(who), payload });

describe('silences API', () => {
  it('a deployer silences; the silence is listed, evented and audited; expiring it ends it once', async () => {
    const res = await add('dana', {
      matchers: ['alertname=error-rate', 'service=~"api|web"'],
      for: '2h',
      comment: 'cache',
    });
    expect(res.statusCode).toBe(201);
    const { silence } = res.json();
    expect(silence).toMatchObject({
      environment: 'staging',
      matchers: ['alertname=error-rate', 'service=~"api|web"'],
      createdBy: 'dana',
      state: 'active',
    });
    expect(Date.parse(silence.endsAt) - Date.parse(silence.startsAt)).toBe(2 * 3_600_000);

    const listed = await app.inject({ url: '/api/v1/projects/harbor/silences', headers: as('vic') });
    expect(listed.json().silences.map((s: { id: string }) => s.id)).toEqual([silence.id]);

    const expire = () =>
      app.inject({ method: 'POST', url: `${silences}/${silence.id}/expire`, headers: as('dana'), payload: {} });
    expect((await expire()).json().silence).toMatchObject({ state: 'expired', expiredBy: 'dana' });
    expect((await expire()).statusCode).toBe(200); // idempotent
    const kinds = (await listEvents(h.db, { project: 'harbor' })).filter((e) => e.kind.startsWith('silence.'));
    expect(kinds.map((e) => e.kind)).toEqual(['silence.created', 'silence.expired']);
    expect(kinds[0]!.data).toMatchObject({ id: silence.id, createdBy: 'dana', comment: 'cache' });

    const audited: Record<string, unknown>[] = [];
    for await (const row of exportAudit(h.db, new Date(0))) audited.push(row);
    const create = audited.find((r) => r.action === 'silence.create');
    expect(String(create?.actor)).toMatch(/^dana /);
    expect(JSON.stringify(create)).toContain('alertname=error-rate');
    expect(audited.some((r) => r.action === 'silence.expire')).toBe(true);
    const history = await app.inject({ url: '/api/v1/projects/harbor/alerts/history', headers: as('vic') });
    expect(history.json().events.map((e: { kind: string }) => e.kind)).toEqual(['silence.expired', 'silence.created']);
  });

  it('a viewer may not silence; a deployer of staging may not silence production', async () => {
    expect((await add('vic', { matchers: ['alertname=x'], for: '1h', comment: 'no' })).statusCode).toBe(403);
    const prod = await app.inject({
      method: 'POST',
      url: '/api/v1/projects/harbor/environments/production/silences',
      headers: as('dana'),
      payload: { matchers: ['alertname=x'], for: '1h', comment: 'no' },
    });
    expect(prod.statusCode).toBe(403);
  });

  it('bad matchers, durations and environments are 4xx naming the field', async () => {
    const bad = await add('dana', { matchers: ['service=api', 'oops'], for: '1h', comment: 'x' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/body\.matchers\[1\]: "oops" is not a matcher/);
    const regex = await add('dana', { matchers: ['service=~('], for: '1h', comment: 'x' });
    expect(regex.json().error.message).toMatch(/body\.matchers\[0\].*not a valid regex/);
    const long = await add('dana', { matchers: ['service=api'], for: '400d', comment: 'x' });
    expect(long.statusCode).toBe(400);
    expect(long.json().error.message).toMatch(/body\.for/);
    const missing = await app.inject({
      method: 'POST',
      url: `${silences}/sil_nope/expire`,
      headers: as('dana'),
      payload: {},
    });
    expect(missing.statusCode).toBe(404);
  });

  it('alerts and the Prometheus rules are readable by a viewer; an unknown environment is refused', async () => {
    const alerts = await app.inject({ url: '/api/v1/projects/harbor/alerts', headers: as('vic') });
    expect(alerts.statusCode).toBe(200);
    expect(alerts.json()).toEqual({ alerts: [], readings: [] });
    const rules = await app.inject({ url: '/api/v1/projects/harbor/alerts/prometheus-rules', headers: as('vic') });
    expect(rules.json().file).toContain('alert: api-latency-p95');
    const unknown = await app.inject({ url: '/api/v1/projects/harbor/alerts?environment=qa', headers: as('vic') });
    expect([403, 404]).toContain(unknown.statusCode);
  });
});
