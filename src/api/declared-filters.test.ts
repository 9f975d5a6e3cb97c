import { type AdminApi, adminApi } from '../../test/support/api-harness.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The lists filtered by environment or service refuse names the config does not declare, as kpis does. */
let api: AdminApi;

beforeAll(async () => {
  api = await adminApi();
}, 60_000);
afterAll(async () => {
  await api?.close();
});

const get = (url: string) => api.app.inject({ url, headers: { authorization: `Bearer ${api.admin}` } });
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
