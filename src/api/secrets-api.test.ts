import { testApi } from '../../test/support/api-harness.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineHarness, type Harness } from '../../test/support/engine-harness.js';
import { SecretVault } from '../access/secrets/vault.js';
import { newId } from '../shared/ids.js';
import { insertToken } from '../store/repos/tokens.js';
import { ensureAdminToken, generateToken, hashToken } from './auth.js';

/** The secrets API: admins set, unset and reveal (audited, without the value); viewers list names only. */
let h: Harness;
let app: FastifyInstance;
let dataDir: string;
const admin = generateToken();
const stagingAdmin = generateToken();
const viewer = generateToken();
const planted = 'planted-api-4c1e9b7d';
const as = (token: string) => ({ authorization: `Bearer ${token}` });
const url = (env: string, rest = '') => `/api/v1/projects/harbor/environments/${env}/secrets${rest}`;

beforeAll(async () => {
  h = await engineHarness();
  await ensureAdminToken(h.db, admin);
  await insertToken(h.db, {
    id: newId('tok'),
    name: 'staging-admin',
    hash: hashToken(stagingAdmin),
    grants: [{ role: 'admin', environments: ['staging'] }],
  });
  await insertToken(h.db, {
    id: newId('tok'),
    name: 'viewer',
    hash: hashToken(viewer),
    grants: [{ role: 'viewer', environments: '*' }],
  });
  dataDir = mkdtempSync(path.join(tmpdir(), 'slipway-secrets-api-'));
  app = await testApi(h, { secrets: SecretVault.open(h.db, dataDir, {}) });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await h?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('secrets API', () => {
  it('set → list (no values) → reveal (audited without the value); nothing else ever carries the value', async () => {
    const set = await app.inject({
      method: 'PUT',
      url: url('production', '/DB_PASSWORD'),
      headers: as(admin),
      payload: { value: planted },
    });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toEqual({ name: 'DB_PASSWORD', version: 1 });
    const again = await app.inject({
      method: 'PUT',
      url: url('production', '/DB_PASSWORD'),
      headers: as(admin),
      payload: { value: `${planted}-2` },
    });
    expect(again.json()).toEqual({ name: 'DB_PASSWORD', version: 2 });

    const list = await app.inject({ url: url('production'), headers: as(viewer) });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual({
      secrets: [{ name: 'DB_PASSWORD', version: 2, updatedAt: expect.any(String), updatedBy: 'admin' }],
    });
    expect(list.body).not.toContain(planted);

    const reveal = await app.inject({
      method: 'POST',
      url: url('production', '/DB_PASSWORD/reveal'),
      headers: as(admin),
    });
    expect(reveal.json()).toEqual({ name: 'DB_PASSWORD', version: 2, value: `${planted}-2` });

    const audit = await app.inject({ url: '/api/v1/audit?since=2020-01-01', headers: as(admin) });
    expect(audit.body).toContain('secret.reveal');
    expect(audit.body).toContain('secret=DB_PASSWORD project=harbor environment=production');
    expect(audit.body).not.toContain(planted);
    const events = await app.inject({ url: '/api/v1/events?environment=production', headers: as(admin) });
    expect(events.body).toContain('secret DB_PASSWORD set (version 2) by admin');
    expect(events.body).not.toContain(planted);
    // The store holds only ciphertext (and the audit log / events hold only names).
    const { rows } = await h.db.query<{ n: number }>(
      `select count(*)::int as n from (select t::text as row from secrets t union all select t::text from audit_log ` +
        `t union all select t::text from events t) x where row like $1`,
      [`%${planted}%`],
    );
    expect(rows[0]!.n).toBe(0);
  });

  it(
    'viewers and admins of another environment cannot set, reveal or unset; the 403 names what is ' + 'missing',
    async () => {
      const reveal = await app.inject({
        method: 'POST',
        url: url('production', '/DB_PASSWORD/reveal'),
        headers: as(viewer),
      });
      expect(reveal.statusCode).toBe(403);
      expect(reveal.json().error.message).toBe('admin on production required; token "viewer" has viewer on *');
      const set = await app.inject({
        method: 'PUT',
        url: url('production', '/DB_PASSWORD'),
        headers: as(stagingAdmin),
        payload: { value: 'x' },
      });
      expect(set.statusCode).toBe(403);
      expect(
        (await app.inject({ method: 'DELETE', url: url('production', '/DB_PASSWORD'), headers: as(stagingAdmin) }))
          .statusCode,
      ).toBe(403);
      // Their own environment is fine.
      expect(
        (
          await app.inject({
            method: 'PUT',
            url: url('staging', '/DB_PASSWORD'),
            headers: as(stagingAdmin),
            payload: { value: 'staging' },
          })
        ).json(),
      ).toEqual({ name: 'DB_PASSWORD', version: 1 });
    },
  );

  it('unknown project, environment or secret → 404; a bad name → 400 without echoing the value', async () => {
    const noEnv = await app.inject({
      method: 'PUT',
      url: url('qa', '/X'),
      headers: as(admin),
      payload: { value: 'x' },
    });
    expect(noEnv.statusCode).toBe(404);
    expect(noEnv.json().error.message).toBe('project harbor has no environment "qa"');
    expect(
      (await app.inject({ url: '/api/v1/projects/nope/environments/staging/secrets', headers: as(admin) })).statusCode,
    ).toBe(404);
    const missing = await app.inject({ method: 'POST', url: url('staging', '/NOPE/reveal'), headers: as(admin) });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.message).toMatch(/^no secret NOPE in harbor\/staging/);
    const bad = await app.inject({
      method: 'PUT',
      url: url('staging', '/bad-name'),
      headers: as(admin),
      payload: { value: planted },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).not.toContain(planted);
    const notString = await app.inject({
      method: 'PUT',
      url: url('staging', '/X'),
      headers: as(admin),
      payload: { value: 42 },
    });
    expect(notString.statusCode).toBe(400);
  });

  it(
    'unset removes it from the list and from reveal; rotate-key keeps it readable and is admin-on-* ' + 'only',
    async () => {
      expect(
        (await app.inject({ method: 'DELETE', url: url('staging', '/DB_PASSWORD'), headers: as(admin) })).json(),
      ).toEqual({ name: 'DB_PASSWORD', version: 1 });
      expect((await app.inject({ url: url('staging'), headers: as(admin) })).json()).toEqual({ secrets: [] });
      expect(
        (await app.inject({ method: 'DELETE', url: url('staging', '/DB_PASSWORD'), headers: as(admin) })).statusCode,
      ).toBe(404);

      expect(
        (await app.inject({ method: 'POST', url: '/api/v1/secrets/rotate-key', headers: as(stagingAdmin) })).statusCode,
      ).toBe(403);
      const rotated = await app.inject({ method: 'POST', url: '/api/v1/secrets/rotate-key', headers: as(admin) });
      expect(rotated.statusCode).toBe(200);
      expect(rotated.json()).toEqual({
        previousKeyId: expect.stringMatching(/^[0-9a-f]{8}$/),
        currentKeyId: expect.stringMatching(/^[0-9a-f]{8}$/),
        rewrapped: 3,
      });
      const reveal = await app.inject({
        method: 'POST',
        url: url('production', '/DB_PASSWORD/reveal'),
        headers: as(admin),
      });
      expect(reveal.json().value).toBe(`${planted}-2`);
    },
  );
});
