import { storedToken, testApi } from '../../test/support/api-harness.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineHarness, type Harness } from '../../test/support/engine-harness.js';

/** The lists filtered by environment or service refuse names the config does not declare, as kpis does. */
let h: Harness;
let app: FastifyInstance;
let admin: string;

beforeAll(async () => {
  h = await engineHarness();
  admin = await storedToken(h.db, 'root');
  app = await testApi(h);
}, 60_000);
afterAll(async () => {
  await app?.close();
  await h?.close();
});

const get = (url: string) => app.inject({ url, headers: { authorization: `Bearer ${admin}` } });
const lists = ['incidents', 'notifications', 'scheduled-deployments', 'kpis'];

describe('environment and service filters of the lists', () => {
  it.each(lists)('%s: an undeclared environment is a 404 naming it and the declared ones', async (list) => {
    const res = await get(`/api/v1/projects/harbor/${list}?environment=nowhere`);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toBe('environment "nowhere" is not declared (staging, production)');
  });

  it.each(['incidents', 'kpis'])('%s: an undeclared service is a 404 naming it', async (list) => {
    const res = await get(`/api/v1/projects/harbor/${list}?service=nosuch`);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toBe('service "nosuch" is not declared in project "harbor"');
  });

  it.each(lists)('%s: a declared environment lists', async (list) => {
    expect((await get(`/api/v1/projects/harbor/${list}?environment=staging`)).statusCode).toBe(200);
  });
});
