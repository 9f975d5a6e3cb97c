import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi } from '../../test/support/api-harness.js';
import { engineHarness, type Harness } from '../../test/support/engine-harness.js';
import { PrincipalCache, principalCacheMaxAgeMs } from '../access/principal-cache.js';
import { ensureAdminToken, generateToken } from './auth.js';

/**
 * The API's cache of authenticated principals: a revoke or logout in this coordinator is refused on the very next
 * request; one made through another coordinator on the same store is refused here once the cache's bound has passed
 * (two APIs on one PostgreSQL database stand for two coordinators).
 */
let h: Harness;
let here: FastifyInstance;
let other: FastifyInstance;
let now = Date.now();
const adminToken = generateToken();
const as = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  h = await engineHarness();
  await ensureAdminToken(h.db, adminToken);
  here = await testApi(h);
  other = await testApi(h, { principals: new PrincipalCache(principalCacheMaxAgeMs, 1000, () => now) });
}, 60_000);
afterAll(async () => {
  await other?.close();
  await here?.close();
  await h?.close();
});

const newToken = async (name: string) => {
  const res = await here.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    headers: as(adminToken),
    payload: { name, grants: [{ role: 'viewer', environments: '*' }] },
  });
  expect(res.statusCode).toBe(201);
  return res.json() as { token: { id: string }; secret: string };
};

describe('principal cache', () => {
  it('a revoke through another coordinator is refused here within the bound, not before it is stored', async () => {
    const { token, secret } = await newToken('elsewhere');
    expect((await other.inject({ url: '/api/v1/projects', headers: as(secret) })).statusCode).toBe(200);
    const revoked = await here.inject({ method: 'DELETE', url: `/api/v1/tokens/${token.id}`, headers: as(adminToken) });
    expect(revoked.statusCode).toBe(200);
    expect((await here.inject({ url: '/api/v1/projects', headers: as(secret) })).statusCode).toBe(401);
    // The other coordinator heard nothing: its cached principal is still good until the bound passes…
    now += principalCacheMaxAgeMs - 1;
    expect((await other.inject({ url: '/api/v1/projects', headers: as(secret) })).statusCode).toBe(200);
    // …and not one millisecond longer.
    now += 1;
    const refused = await other.inject({ url: '/api/v1/projects', headers: as(secret) });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.message).toMatch(/^token "elsewhere" was revoked at /);
  });

  it('a token changed in the store by hand is read again after the bound', async () => {
    const { secret } = await newToken('by-hand');
    expect((await other.inject({ url: '/api/v1/projects', headers: as(secret) })).statusCode).toBe(200);
    await h.db.query(`update tokens set expires_at = now() - interval '1 second' where name = 'by-hand'`);
    now += principalCacheMaxAgeMs;
    const res = await other.inject({ url: '/api/v1/projects', headers: as(secret) });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toMatch(/^token "by-hand" expired at /);
  });

  it('a logout is refused on the next request, though the session was cached', async () => {
    const password = 'a long enough password';
    const created = await here.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: as(adminToken),
      payload: { name: 'lea', password, grants: [{ role: 'viewer', environments: '*' }] },
    });
    expect(created.statusCode).toBe(201);
    const login = await here.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { name: 'lea', password } });
    expect(login.statusCode).toBe(200);
    const cookie = /^(slipway_session=[^;]+);/.exec(String(login.headers['set-cookie']))![1]!;
    expect((await here.inject({ url: '/api/v1/projects', headers: { cookie } })).statusCode).toBe(200);
    const out = await here.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie } });
    expect(out.json()).toEqual({ loggedOut: true });
    const after = await here.inject({ url: '/api/v1/projects', headers: { cookie } });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.message).toMatch(/login session expired or was ended/);
  });

  it('an unknown token is never cached: each attempt reaches the store and the audit log', async () => {
    const stranger = generateToken();
    for (let i = 0; i < 2; i++)
      expect((await here.inject({ url: '/api/v1/projects', headers: as(stranger) })).statusCode).toBe(401);
    const { rows } = await h.db.query<{ n: number }>(
      `select count(*)::int as n from audit_log where outcome = 'denied' and after->>'refused' = 'unknown token'`,
    );
    expect(rows[0]!.n).toBeGreaterThanOrEqual(2);
  });
});
