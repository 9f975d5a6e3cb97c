import { testApi } from '../../test/support/api-harness.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineHarness, type Harness } from '../../test/support/engine-harness.js';
import { ensureAdminToken, generateToken } from './auth.js';

/** The tokens API: create (shown once), list (no secrets), revoke; expired and revoked tokens are refused saying which.
 * */
let h: Harness;
let app: FastifyInstance;
const adminToken = generateToken();
const as = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  h = await engineHarness();
  await ensureAdminToken(h.db, adminToken);
  app = await testApi(h);
}, 60_000);
afterAll(async () => {
  await app?.close();
  await h?.close();
});

const create = (body: Record<string, unknown>, token = adminToken) =>
  app.inject({ method: 'POST', url: '/api/v1/tokens', headers: as(token), payload: body });

describe('tokens API', () => {
  it('a created token works, with its grants, and its secret is shown only in the create answer', async () => {
    const res = await create({
      name: 'ci',
      grants: [{ role: 'deployer', environments: ['staging'] }],
      expiresIn: '30d',
    });
    expect(res.statusCode).toBe(201);
    const { token, secret } = res.json();
    expect(secret).toMatch(/^slw_[A-Za-z0-9_-]{43}$/);
    expect(token).toMatchObject({
      name: 'ci',
      grants: [{ role: 'deployer', environments: ['staging'] }],
      state: 'active',
      createdBy: 'admin',
      revokedAt: null,
    });
    const days = (Date.parse(token.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);

    expect((await app.inject({ url: '/api/v1/deployments?environment=staging', headers: as(secret) })).statusCode).toBe(
      200,
    );
    const forbidden = await app.inject({ url: '/api/v1/deployments?environment=production', headers: as(secret) });
    expect(forbidden.statusCode).toBe(403);

    const list = await app.inject({ url: '/api/v1/tokens', headers: as(adminToken) });
    expect(list.body).not.toContain(secret);
    expect(list.body).not.toMatch(/"(hash|secret)"/);
    expect(list.json().tokens.map((t: { name: string }) => t.name)).toEqual(['admin', 'ci']);
  });

  it('a deployer token cannot manage tokens: 403 naming admin on *', async () => {
    const { secret } = (await create({ name: 'deployer', grants: [{ role: 'deployer', environments: '*' }] })).json();
    const res = await create({ name: 'escalate', grants: [{ role: 'admin', environments: '*' }] }, secret);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toBe('admin on * required; token "deployer" has deployer on *');
    expect((await app.inject({ url: '/api/v1/tokens', headers: as(secret) })).statusCode).toBe(403);
  });

  it('revoked → 401 saying revoked; revoking again keeps the first time; an unknown id is a 404', async () => {
    const { token, secret } = (
      await create({ name: 'short-lived', grants: [{ role: 'viewer', environments: '*' }] })
    ).json();
    // Used once first, so its principal is in the API's cache: the revoke must take it out there too.
    expect((await app.inject({ url: '/api/v1/projects', headers: as(secret) })).statusCode).toBe(200);
    const revoked = await app.inject({ method: 'DELETE', url: `/api/v1/tokens/${token.id}`, headers: as(adminToken) });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().token.state).toBe('revoked');
    const again = await app.inject({ method: 'DELETE', url: `/api/v1/tokens/${token.id}`, headers: as(adminToken) });
    expect(again.json().token.revokedAt).toBe(revoked.json().token.revokedAt);
    const refused = await app.inject({ url: '/api/v1/projects', headers: as(secret) });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.message).toMatch(/^token "short-lived" was revoked at /);
    // The refusal is audited as denied, naming why.
    const { rows } = await h.db.query<{ outcome: string; after: { refused: string } }>(
      `select outcome, after from audit_log where status = 401 and after->>'refused' like 'token "short-lived"%'`,
    );
    expect(rows.map((r) => r.outcome)).toEqual(['denied']);
    const missing = await app.inject({ method: 'DELETE', url: '/api/v1/tokens/tok_nope', headers: as(adminToken) });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.message).toContain('no token tok_nope');
  });

  it('expired → 401 saying expired', async () => {
    const { secret } = (
      await create({
        name: 'brief',
        grants: [{ role: 'viewer', environments: '*' }],
        expiresAt: new Date(Date.now() + 300).toISOString(),
      })
    ).json();
    expect((await app.inject({ url: '/api/v1/projects', headers: as(secret) })).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 400));
    const res = await app.inject({ url: '/api/v1/projects', headers: as(secret) });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toMatch(/^token "brief" expired at /);
  });

  it('bad input names the field', async () => {
    const noGrants = await create({ name: 'x', grants: [] });
    expect(noGrants.statusCode).toBe(400);
    expect(noGrants.json().error.message).toContain('body.grants');
    const badRole = await create({ name: 'x', grants: [{ role: 'root', environments: '*' }] });
    expect(badRole.json().error.message).toContain('body.grants.0.role');
    const badEnv = await create({ name: 'x', grants: [{ role: 'viewer', environments: ['Prod!'] }] });
    expect(badEnv.json().error.message).toContain('body.grants.0.environments');
    const badExpiry = await create({ name: 'x', grants: [{ role: 'viewer', environments: '*' }], expiresIn: 'soon' });
    expect(badExpiry.json().error.message).toBe(
      'body.expiresIn: "soon" must be a duration like 30s, 500ms or 1m30s (like 30d, 12h)',
    );
    const both = await create({
      name: 'x',
      grants: [{ role: 'viewer', environments: '*' }],
      expiresIn: '1d',
      expiresAt: new Date(Date.now() + 1000).toISOString(),
    });
    expect(both.json().error.message).toMatch(/body\.expiresIn and body\.expiresAt/);
    const past = await create({
      name: 'x',
      grants: [{ role: 'viewer', environments: '*' }],
      expiresAt: '2020-01-01T00:00:00Z',
    });
    expect(past.json().error.message).toMatch(/body\.expiresAt: .* is in the past/);
    // Like expiresIn, at most 366 days ahead: year 10000 (Date writes +010000) was a 500 from the store.
    for (const expiresAt of ['9999-12-31T23:59:59-14:00', '2999-01-01T00:00:00Z']) {
      const far = await create({ name: 'x', grants: [{ role: 'viewer', environments: '*' }], expiresAt });
      expect(far.statusCode, far.body).toBe(400);
      expect(far.json().error.message).toBe(`body.expiresAt: ${expiresAt} is more than 366d ahead`);
    }
  });

  it('the first start generates an admin token only while no usable admin token exists', async () => {
    expect(await ensureAdminToken(h.db)).toEqual({});
    await h.db.query(`update tokens set revoked_at = now() where name = 'admin'`);
    const { generated } = await ensureAdminToken(h.db);
    expect(generated).toMatch(/^slw_/);
    const list = await app.inject({ url: '/api/v1/tokens', headers: as(generated!) });
    expect(list.statusCode).toBe(200);
    expect(list.json().tokens.find((t: { name: string }) => t.name === 'initial admin token').grants).toEqual([
      { role: 'admin', environments: '*' },
    ]);
  });
});
