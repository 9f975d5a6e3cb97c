import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import * as OTPAuth from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi } from '../../test/support/api-harness.js';
import { engineHarness, type Harness } from '../../test/support/engine-harness.js';
import { SecretVault } from '../access/secrets/vault.js';
import { ensureAdminToken, generateToken } from './auth.js';

/**
 * Local users over the API: password + TOTP login, session cookies with CSRF, brute-force
 * lockout, and the TOTP rule for approver/admin actions on production. Each test logs in from its
 * own address so the per-address lockout of one test does not reach the others.
 */
let h: Harness;
let app: FastifyInstance;
let dataDir: string;
const adminToken = generateToken();
const bearer = { authorization: `Bearer ${adminToken}` };
const password = 'correct horse battery staple';

beforeAll(async () => {
  h = await engineHarness();
  await ensureAdminToken(h.db, adminToken);
  dataDir = mkdtempSync(path.join(tmpdir(), 'slipway-users-api-'));
  app = await testApi(h, { secrets: SecretVault.open(h.db, dataDir, {}) });
  for (const [name, role] of [
    ['alice', 'admin'],
    ['bob', 'viewer'],
    ['carol', 'deployer'],
    ['dave', 'viewer'],
    ['erin', 'viewer'],
  ] as const) {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: bearer,
      payload: { name, password, grants: [{ role, environments: '*' }] },
    });
    expect(res.statusCode).toBe(201);
  }
}, 60_000);
afterAll(async () => {
  await app?.close();
  await h?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const login = (ip: string, payload: Record<string, unknown>) =>
  app.inject({ method: 'POST', url: '/api/v1/auth/login', payload, remoteAddress: ip });
/** Log in and return a request helper that sends the cookie (and the CSRF token unless told not to). */
async function session(ip: string, name: string, totp?: string) {
  const res = await login(ip, { name, password, ...(totp ? { totp } : {}) });
  expect(res.statusCode).toBe(200);
  const cookie = /^(slipway_session=[^;]+);/.exec(String(res.headers['set-cookie']))![1]!;
  const { csrfToken } = res.json();
  const send = (req: InjectOptions, withCsrf = true) =>
    app.inject({
      ...req,
      remoteAddress: ip,
      headers: { ...req.headers, cookie, ...(withCsrf ? { 'x-csrf-token': csrfToken } : {}) },
    });
  return { res, cookie, csrfToken: csrfToken as string, send };
}
const approve = (environment: string) => ({
  method: 'POST' as const,
  url: '/api/v1/projects/harbor/approvals',
  payload: { version: '9.9.9', environment, decision: 'approve' },
});

describe('local users: login sessions', () => {
  it(
    'login sets a Secure HttpOnly SameSite=Strict cookie; GETs work; a POST needs the CSRF header; logout ends ' + 'it',
    async () => {
      const { res, cookie, send } = await session('10.0.0.1', 'bob');
      expect(String(res.headers['set-cookie'])).toMatch(/; HttpOnly; Secure; SameSite=Strict$/);
      expect(res.json()).toMatchObject({
        user: 'bob',
        kind: 'local',
        mfa: false,
        grants: [{ role: 'viewer', environments: '*' }],
      });

      expect((await send({ url: '/api/v1/deployments?environment=staging' })).statusCode).toBe(200);
      const me = await send({ url: '/api/v1/auth/session' });
      expect(me.json()).toMatchObject({ user: 'bob', csrfToken: res.json().csrfToken });

      const noCsrf = await send({ method: 'POST', url: '/api/v1/auth/totp/enroll' }, false);
      expect(noCsrf.statusCode).toBe(403);
      expect(noCsrf.json().error.message).toMatch(/^missing or invalid CSRF token/);
      const wrongCsrf = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/totp/enroll',
        headers: { cookie, 'x-csrf-token': 'forged' },
      });
      expect(wrongCsrf.statusCode).toBe(403);
      const withCsrf = await send({ method: 'POST', url: '/api/v1/auth/totp/enroll' });
      expect(withCsrf.statusCode).toBe(200);
      expect(withCsrf.json().otpauthUri).toMatch(/^otpauth:\/\/totp\/Slipway:bob\?/);
      // A viewer stays a viewer: the session's grants are the user's.
      expect(
        (
          await send({
            method: 'POST',
            url: '/api/v1/projects/harbor/deployments',
            payload: { service: 'api', environment: 'staging', version: '1.0.0' },
          })
        ).statusCode,
      ).toBe(403);

      const out = await send({ method: 'POST', url: '/api/v1/auth/logout' });
      expect(out.json()).toEqual({ loggedOut: true });
      expect(String(out.headers['set-cookie'])).toMatch(/^slipway_session=; Max-Age=0;/);
      const after = await send({ url: '/api/v1/deployments' });
      expect(after.statusCode).toBe(401);
      expect(after.json().error.message).toContain('log in again');
    },
  );

  it('an unknown user and a wrong password get the same answer', async () => {
    const unknown = await login('10.0.0.2', { name: 'nobody', password });
    const wrong = await login('10.0.0.2', { name: 'bob', password: 'not the password at all' });
    expect([unknown.statusCode, wrong.statusCode]).toEqual([401, 401]);
    expect(unknown.json().error.message).toBe('invalid user name or password');
    expect(wrong.json().error.message).toBe('invalid user name or password');
    expect(unknown.headers['set-cookie']).toBeUndefined();
  });

  it(
    'five wrong passwords lock the name: 429 with retry-after, and the right password is refused too, from ' +
      'anywhere',
    async () => {
      const answers: number[] = [];
      for (let i = 0; i < 5; i++)
        answers.push((await login(`10.0.1.${i}`, { name: 'carol', password: `wrong password ${i}` })).statusCode);
      expect(answers).toEqual([401, 401, 401, 401, 429]);
      const locked = await login('10.0.1.99', { name: 'carol', password });
      expect(locked.statusCode).toBe(429);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(890);
      expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(900);
      expect(locked.json().error.message).toMatch(/^too many failed logins: try again later/);
      expect(locked.headers['set-cookie']).toBeUndefined();
    },
  );

  it('five failures from one address lock the address, whatever names it tries', async () => {
    for (const name of ['x1', 'x2', 'x3', 'x4'])
      expect((await login('10.0.2.1', { name, password })).statusCode).toBe(401);
    expect((await login('10.0.2.1', { name: 'x5', password })).statusCode).toBe(429);
    expect((await login('10.0.2.1', { name: 'erin', password })).statusCode).toBe(429);
    expect((await login('10.0.2.2', { name: 'erin', password })).statusCode).toBe(200);
  });

  it('TOTP: enroll and confirm; a wrong code is refused and counts towards the lockout', async () => {
    const first = await session('10.0.3.1', 'dave');
    const { otpauthUri } = (await first.send({ method: 'POST', url: '/api/v1/auth/totp/enroll' })).json();
    const totp = OTPAuth.URI.parse(otpauthUri) as OTPAuth.TOTP;
    const badConfirm = await first.send({
      method: 'POST',
      url: '/api/v1/auth/totp/confirm',
      payload: { code: 'abcdef' },
    });
    expect(badConfirm.statusCode).toBe(400);
    expect(
      (
        await first.send({ method: 'POST', url: '/api/v1/auth/totp/confirm', payload: { code: totp.generate() } })
      ).json(),
    ).toEqual({ totpEnabled: true });

    const withCode = await session('10.0.3.2', 'dave', totp.generate());
    expect(withCode.res.json().mfa).toBe(true);
    const right = totp.generate();
    const wrongCode = String((Number(right) + 500_000) % 1_000_000).padStart(6, '0');
    const answers: number[] = [];
    for (let i = 0; i < 4; i++)
      answers.push((await login(`10.0.3.${10 + i}`, { name: 'dave', password: 'wrong password here' })).statusCode);
    const wrongTotp = await login('10.0.3.20', { name: 'dave', password, totp: wrongCode });
    expect(answers).toEqual([401, 401, 401, 401]);
    expect(wrongTotp.statusCode).toBe(429);
  });

  it(
    'an admin session without TOTP cannot approve in production nor act project-wide; with TOTP it can; tokens are ' +
      'exempt',
    async () => {
      const plain = await session('10.0.4.1', 'alice');
      const refused = await plain.send(approve('production'));
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.message).toBe(
        'TOTP required for approvals on production: log in with your TOTP code',
      );
      const tokens = await plain.send({ url: '/api/v1/users' });
      expect(tokens.statusCode).toBe(403);
      expect(tokens.json().error.message).toContain('TOTP required for admin actions on every environment');
      // Staging needs no second factor: the handler answers (no approvals are configured there: 409).
      expect((await plain.send(approve('staging'))).statusCode).toBe(409);

      const { otpauthUri } = (await plain.send({ method: 'POST', url: '/api/v1/auth/totp/enroll' })).json();
      const totp = OTPAuth.URI.parse(otpauthUri) as OTPAuth.TOTP;
      await plain.send({ method: 'POST', url: '/api/v1/auth/totp/confirm', payload: { code: totp.generate() } });
      const strong = await session('10.0.4.2', 'alice', totp.generate());
      const allowed = await strong.send(approve('production'));
      expect(allowed.statusCode).toBe(409);
      expect(allowed.json().error.message).not.toContain('TOTP');
      expect((await strong.send({ url: '/api/v1/users' })).statusCode).toBe(200);
      expect((await app.inject({ ...approve('production'), headers: bearer })).statusCode).toBe(409);
    },
  );

  it('a session idle for 30 minutes is refused', async () => {
    const { send, res } = await session('10.0.5.1', 'erin');
    expect(res.statusCode).toBe(200);
    await h.db.query(
      `update sessions set last_seen_at = now() - interval '31 minutes' where identity->>'name' = 'erin'`,
    );
    expect((await send({ url: '/api/v1/deployments' })).statusCode).toBe(401);
  });

  it('disabling a user ends their sessions and refuses their logins', async () => {
    const { send } = await session('10.0.6.1', 'bob');
    // A request before: the session is in the API's principal cache when the user is disabled.
    expect((await send({ url: '/api/v1/deployments' })).statusCode).toBe(200);
    expect(
      (await app.inject({ method: 'POST', url: '/api/v1/users/bob/disable', headers: bearer })).json().user,
    ).toMatchObject({ name: 'bob', state: 'disabled' });
    expect((await send({ url: '/api/v1/deployments' })).statusCode).toBe(401);
    expect((await login('10.0.6.2', { name: 'bob', password })).json().error.message).toBe(
      'invalid user name or password',
    );
    const list = await app.inject({ url: '/api/v1/users', headers: bearer });
    expect(list.body).not.toMatch(/argon2|password|totp_secret|ciphertext/i);
  });

  it('the audit log records refused logins as denied, and never a password, cookie or CSRF token', async () => {
    const { cookie, csrfToken, send } = await session('10.0.7.1', 'erin');
    await send({ method: 'POST', url: '/api/v1/auth/logout' });
    const { rows } = await h.db.query<{ row: string; outcome: string; status: number; action: string }>(
      `select t::text as row, outcome, status, action from audit_log t`,
    );
    const all = rows.map((r) => r.row).join('\n');
    expect(all).not.toContain(password);
    expect(all).not.toContain(cookie.split('=')[1]);
    expect(all).not.toContain(csrfToken);
    expect(rows.filter((r) => r.action === 'auth.login' && r.status === 429).every((r) => r.outcome === 'denied')).toBe(
      true,
    );
    expect(rows.some((r) => r.action === 'auth.login' && r.status === 429)).toBe(true);
    expect(
      rows.some(
        (r) => r.action === 'auth.login' && r.status === 401 && r.outcome === 'denied' && r.row.includes('user=carol'),
      ),
    ).toBe(true);
    expect(rows.some((r) => r.status === 403 && r.row.includes('missing or invalid CSRF token'))).toBe(true);
  });
});
