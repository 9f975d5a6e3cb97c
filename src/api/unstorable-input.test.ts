import type { FastifyInstance, InjectOptions } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi } from '../../test/support/api-harness.js';
import { engineHarness, type Harness } from '../../test/support/engine-harness.js';
import { redactedPaths } from '../shared/logging.js';
import { ensureAdminToken, generateToken, hashToken } from './auth.js';

/**
 * Text PostgreSQL cannot store (a NUL, an unpaired surrogate) in a path, a query or a JSON body is
 * a 400 naming the field — it used to reach the database and answer 500 — and a denied request is
 * audited whatever bytes it carries; nothing logged carries a token's hash or a password hash.
 */
let h: Harness;
let app: FastifyInstance;
const logLines: string[] = [];
const admin = generateToken();
const as = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  h = await engineHarness();
  await ensureAdminToken(h.db, admin);
  const logger = pino(
    { level: 'debug', redact: { paths: redactedPaths, censor: '[redacted]' } },
    { write: (line: string) => void logLines.push(line) },
  );
  app = await testApi(h, { logger });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await h?.close();
});

const auditRows = async () =>
  (
    await h.db.query<{ actor: string; action: string; target: string; status: number; outcome: string }>(
      'select actor, action, target, status, outcome from audit_log order by seq',
    )
  ).rows;

describe('text the store cannot keep', () => {
  const cases: [string, string, InjectOptions][] = [
    ['a NUL in a path parameter', 'params.id', { method: 'GET', url: '/api/v1/deployments/abc%00def' }],
    ['a NUL in a query parameter', 'query.service', { method: 'GET', url: '/api/v1/events?service=%00' }],
    ['a NUL in a JSON string', 'body.name', { method: 'POST', url: '/api/v1/tokens', payload: { name: 'a\u0000b' } }],
    [
      'an unpaired surrogate in a JSON string',
      'body.name',
      {
        method: 'POST',
        url: '/api/v1/tokens',
        headers: { 'content-type': 'application/json' },
        payload: '{"name":"a\\ud800b"}',
      },
    ],
    [
      'a NUL in a nested JSON string',
      'body.grants[0].environments[0]',
      {
        method: 'POST',
        url: '/api/v1/tokens',
        payload: { name: 'ci', grants: [{ role: 'viewer', environments: ['st\u0000aging'] }] },
      },
    ],
    [
      'a NUL in a path parameter of a route that hashes a password',
      'params.name',
      { method: 'PUT', url: '/api/v1/users/x%00/password', payload: { password: 'correct horse battery staple' } },
    ],
  ];
  it.each(cases)('%s is a 400 naming %s', async (_name, field, request) => {
    const res = await app.inject({ ...request, headers: { ...request.headers, ...as(admin) } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_input');
    expect(res.json().error.message).toMatch(new RegExp(`^${field.replace(/[[\]]/g, '\\$&')}: contains `));
  });

  it('JSON nested thousands of levels deep is a 400, not a stack overflow', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { ...as(admin), 'content-type': 'application/json' },
      payload: `${'['.repeat(5000)}${']'.repeat(5000)}`,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/nests deeper than 64 levels/);
  });

  it('login without a token, with a NUL in the name: a 400, not a 500', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { name: 'ali\u0000ce', password: 'x' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/^body\.name: contains a NUL character/);
  });

  it(
    'a guessed token on a path with a NUL is denied, and the denial is in the audit log with the text ' + 'escaped',
    async () => {
      const before = (await auditRows()).length;
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/projects/harbor/environments/staging/secrets/NAME%00/reveal',
        headers: as('slw_guessed_0000000000000000000000000000'),
      });
      expect(res.statusCode).toBe(401);
      expect(res.headers['slipway-audit']).toBeUndefined();
      const rows = (await auditRows()).slice(before);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ outcome: 'denied', status: 401, actor: 'anonymous' });
      expect(rows[0]!.target).toContain('NAME\\u0000');
    },
  );

  it('nothing in the log carries a token hash or a password hash', async () => {
    // A route that creates a token and one that hashes a password, with inputs that used to fail in SQL.
    await app.inject({ method: 'POST', url: '/api/v1/tokens', headers: as(admin), payload: { name: 'x\u0000y' } });
    await app.inject({
      method: 'PUT',
      url: '/api/v1/users/x%00/password',
      headers: as(admin),
      payload: { password: 'correct horse battery staple' },
    });
    const log = logLines.join('');
    expect(log).not.toContain(hashToken(admin));
    expect(log).not.toMatch(/\$argon2id\$/);
    expect(log).not.toMatch(/"params"/);
  });
});
