import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi } from '../../test/support/api-harness.js';
import { engineHarness, type Harness } from '../../test/support/engine-harness.js';
import { ensureAdminToken, generateToken } from './auth.js';

/** Inputs the API used to take although they were wrong (issue: validation gaps), each now a 400 naming the field. */
let h: Harness;
let app: FastifyInstance;
const admin = generateToken();
const headers = { authorization: `Bearer ${admin}` };
const config = {
  project: 'harbor',
  environments: { staging: { listen: '127.0.0.1:18081' } },
  services: { api: { command: 'node', args: ['server.js'] } },
};

beforeAll(async () => {
  h = await engineHarness();
  await ensureAdminToken(h.db, admin);
  app = await testApi(h);
}, 60_000);
afterAll(async () => {
  await app?.close();
  await h?.close();
});

describe('validation gaps', () => {
  it.each(['../../etc', 'relative/dir', '/srv/../etc', '/srv/app/'])('baseDir %s is refused', async (baseDir) => {
    const res = await app.inject({
      method: 'PUT',
      url: '/api/v1/projects/harbor',
      headers,
      payload: { config, baseDir },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/^body\.baseDir: must be an absolute, normalized path/);
  });

  it('an absolute, normalized baseDir is taken', async () => {
    const res = await app.inject({
      method: 'PUT',
      url: '/api/v1/projects/harbor',
      headers,
      payload: { config, baseDir: '/srv/harbor' },
    });
    expect(res.statusCode).toBe(200);
  });

  it('an absurd duration in an applied config is a 400 with its key path', async () => {
    const res = await app.inject({
      method: 'PUT',
      url: '/api/v1/projects/harbor',
      headers,
      payload: {
        config: { ...config, services: { api: { ...config.services.api, drainTimeout: '99999999999999999999d' } } },
        baseDir: '/srv/harbor',
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/services\.api\.drainTimeout: must be at most 24d/);
  });

  it.each([
    ['', /body\.expiresIn: "" must be a duration/],
    ['0s', /must be longer than 0/],
    ['30', /needs a unit/],
    ['400d', /must be at most 366d/],
  ])('a token with expiresIn "%s" is refused, not made immortal', async (expiresIn, message) => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers,
      payload: { name: 'ci', grants: [{ role: 'viewer', environments: '*' }], expiresIn },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(message);
  });

  it('the OpenAPI entry of the OIDC callback lists the parameters providers send, nothing else', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json', headers })).json();
    const names = (doc.paths['/api/v1/auth/oidc/callback'].get.parameters as { name: string; in: string }[]).map(
      (p) => `${p.in}:${p.name}`,
    );
    expect(names.sort()).toEqual(['query:code', 'query:error', 'query:error_description', 'query:iss', 'query:state']);
  });
});
