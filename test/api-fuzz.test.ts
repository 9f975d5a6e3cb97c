import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAdminToken, generateToken, hashToken } from '../src/api/auth.js';
import { SecretVault } from '../src/access/secrets/vault.js';
import { newId } from '../src/shared/ids.js';
import { redactedPaths } from '../src/shared/logging.js';
import { insertToken } from '../src/store/repos/tokens.js';
import { testApi } from './support/api-harness.js';
import { engineHarness, type Harness } from './support/engine-harness.js';
import { seeded } from './support/traffic-feed.js';

/**
 * The API as an attacker meets it: every route and method of /api/v1/openapi.json, over a real
 * socket, with malformed inputs — wrong types, missing and unknown fields, 1 MB strings, NUL and
 * other control characters, unpaired surrogates, invalid UTF-8, path traversal, wrong content
 * types, broken JSON, out-of-range numbers and dates — as nobody, a viewer token, an admin token
 * and a person logged in to the dashboard (session cookie and CSRF token). A nasty value in one
 * body field comes with plausible values in the required others, so it gets past the first
 * check. No answer may be a 5xx or a dropped connection; every denied request is in the audit
 * log; no log line holds a token, a session cookie, a CSRF token or a hash.
 * Bounded: a seeded sample of at most `maxRequests`.
 */
const maxRequests = 3000;
let h: Harness;
let app: FastifyInstance;
let base: string;
let dataDir: string;
const logLines: string[] = [];
const admin = generateToken();
const viewer = generateToken();
const planted = generateToken(); // a token that exists but is never sent: its secret and hash must stay out of logs
const password = 'a-long-enough-password-for-the-fuzz';
/** The dashboard person's cookie header and CSRF token (logged in before the fuzz can lock the address out). */
let dashboard: { cookie: string; csrfToken: string };
const random = seeded(20261204);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;

/** The part of a JSON Schema the cases are made from. */
interface FieldSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: FieldSchema[];
  minimum?: number;
  minItems?: number;
  items?: FieldSchema;
  format?: string;
  properties?: Record<string, FieldSchema>;
  required?: string[];
}

interface Operation {
  method: string;
  url: string;
  params: { name: string; in: 'path' | 'query'; type?: string; required?: boolean }[];
  body?: { properties: Record<string, FieldSchema>; required: string[] };
}

beforeAll(async () => {
  h = await engineHarness();
  await ensureAdminToken(h.db, admin);
  for (const [name, secret, role] of [
    ['viewer', viewer, 'viewer'],
    ['planted', planted, 'admin'],
  ] as const)
    await insertToken(h.db, {
      id: newId('tok'),
      name,
      hash: hashToken(secret),
      grants: [{ role, environments: '*' }],
    });
  dataDir = mkdtempSync(path.join(tmpdir(), 'slipway-fuzz-'));
  const logger = pino(
    { level: 'debug', redact: { paths: redactedPaths, censor: '[redacted]' } },
    { write: (line: string) => void logLines.push(line) },
  );
  app = await testApi(h, { logger, secrets: SecretVault.open(h.db, dataDir, {}) });
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: { authorization: `Bearer ${admin}` },
    payload: { name: 'dana', password, grants: [{ role: 'deployer', environments: ['staging'] }] },
  });
  expect(created.statusCode, created.body).toBe(201);
  const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { name: 'dana', password } });
  expect(login.statusCode, login.body).toBe(200);
  dashboard = {
    cookie: /^(slipway_session=[^;]+);/.exec(String(login.headers['set-cookie']))![1]!,
    csrfToken: login.json().csrfToken,
  };
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}, 60_000);
afterAll(async () => {
  await app?.close();
  await h?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

interface Answer {
  status?: number;
  error?: string;
}

/** One raw HTTP request; a stream (SSE, logs) is cut after its headers. */
function send(method: string, url: string, headers: Record<string, string>, body?: Buffer): Promise<Answer> {
  return new Promise((resolve) => {
    // Node's client frames a DELETE body only with an explicit length (it sends no chunked encoding for DELETE).
    const length = body ? { 'content-length': String(body.length) } : {};
    const req = request(`${base}${url}`, { method, headers: { ...headers, ...length }, timeout: 10_000 }, (res) => {
      const streaming = /event-stream|text\/plain|ndjson/.test(String(res.headers['content-type']));
      if (streaming) {
        res.destroy();
        return resolve({ status: res.statusCode! });
      }
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode! }));
      res.on('error', (e) => resolve({ status: res.statusCode!, error: e.message }));
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', (e) => resolve({ error: e.message }));
    req.end(body);
  });
}

/** Path parameter values an attacker tries. */
const nastyPathValues = [
  'abc%00def',
  '..%2F..%2Fetc%2Fpasswd',
  '%FF%FE%FD',
  '%01%02%1F%7F',
  `${'x'.repeat(5000)}`,
  '%F0%9F%9A%A2ship',
  '%ED%A0%80', // an encoded lone surrogate
  'dep_%27%3B%20drop%20table%20deployments%3B--',
  '2147483648',
  '0000-01-01',
];
/** Query values. */
const nastyQueryValues = [
  '%00',
  'not-a-number',
  '-1',
  '99999999999999999999',
  '%FF',
  'x'.repeat(8000),
  'true%00',
  '%E2%80%AE',
  '2147483648',
  '-9223372036854775809',
  '1e400',
  '0000-01-01',
  '9999-12-31T23:59:59-14:00',
];
/** Values for a JSON field of each type. */
function nastyJsonValues(type: string | undefined): unknown[] {
  const strings = [
    'a\u0000b',
    '\ud800',
    'x'.repeat(1024 * 1024),
    '\u0007\u001b[31m',
    '../../etc',
    '',
    ' ',
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:59-14:00',
    '367d',
  ];
  const wrong = [
    42,
    -1,
    2147483648,
    2 ** 53 + 2,
    1.5,
    Number.MAX_VALUE,
    true,
    null,
    [],
    {},
    [1, 2],
    { deep: { x: 1 } },
  ];
  return type === 'string' ? [...strings, ...wrong] : [...wrong, ...strings];
}

function operationsOf(doc: { paths: Record<string, Record<string, Record<string, unknown>>> }): Operation[] {
  const ops: Operation[] = [];
  for (const [url, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = ((op.parameters ?? []) as Operation['params'] & { schema?: { type?: string } }[]).map((p) => ({
        name: p.name,
        in: p.in,
        type: (p as { schema?: { type?: string } }).schema?.type,
        required: p.required,
      }));
      const schema = (op.requestBody as { content?: Record<string, { schema?: Record<string, unknown> }> })?.content?.[
        'application/json'
      ]?.schema as FieldSchema | undefined;
      ops.push({
        method: method.toUpperCase(),
        url,
        params,
        ...(schema
          ? {
              body: {
                properties: schema.properties ?? {},
                required: schema.required ?? [],
              },
            }
          : {}),
      });
    }
  }
  return ops;
}

/** The route's URL with each path parameter filled (plausible, or one of them nasty). */
function fill(url: string, nasty?: string): string {
  const names = [...url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  const target = nasty ? pick(names) : undefined;
  return url.replace(/:(\w+)/g, (_m, name: string) =>
    name === target ? nasty! : name === 'project' ? 'harbor' : name === 'environment' ? 'staging' : `x-${name}`,
  );
}

/** A value `schema` accepts (or nearly: it only has to get a request past the first checks). */
function plausible(name: string, schema: FieldSchema | undefined): unknown {
  if (!schema) return `x-${name}`;
  if (schema.enum) return schema.enum[0];
  if (schema.const !== undefined) return schema.const;
  if (schema.anyOf) return plausible(name, schema.anyOf[0]);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === 'integer' || type === 'number') return schema.minimum ?? 1;
  if (type === 'boolean') return true;
  if (type === 'array') return schema.minItems ? [plausible(name, schema.items)] : [];
  if (type === 'object')
    return Object.fromEntries((schema.required ?? []).map((k) => [k, plausible(k, schema.properties?.[k])]));
  if (schema.format === 'date-time') return '2026-01-01T00:00:00Z';
  return { project: 'harbor', environment: 'staging', service: 'api' }[name] ?? `x-${name}`;
}

/** Every malformed request we make of one operation. */
function casesOf(op: Operation): { url: string; headers: Record<string, string>; body?: Buffer; what: string }[] {
  const cases: { url: string; headers: Record<string, string>; body?: Buffer; what: string }[] = [];
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));
  const hasBody = !['GET', 'HEAD'].includes(op.method);
  const plain = () => fill(op.url);
  if (/:\w+/.test(op.url))
    for (const value of nastyPathValues)
      cases.push({ url: fill(op.url, value), headers: {}, what: `path ${value.slice(0, 20)}` });
  for (const p of op.params.filter((q) => q.in === 'query'))
    for (const value of nastyQueryValues)
      cases.push({ url: `${plain()}?${p.name}=${value}`, headers: {}, what: `query ${p.name}=${value.slice(0, 20)}` });
  if (hasBody) {
    const jsonHeaders = { 'content-type': 'application/json' };
    cases.push({ url: plain(), headers: jsonHeaders, body: Buffer.from('{"unclosed": '), what: 'broken JSON' });
    cases.push({
      url: plain(),
      headers: jsonHeaders,
      body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
      what: 'invalid UTF-8',
    });
    cases.push({ url: plain(), headers: jsonHeaders, body: json({}), what: 'missing fields' });
    cases.push({
      url: plain(),
      headers: jsonHeaders,
      body: json({ unknown: 'field', __proto__: { admin: true } }),
      what: 'unknown fields',
    });
    cases.push({
      url: plain(),
      headers: jsonHeaders,
      body: Buffer.from('['.repeat(5000) + ']'.repeat(5000)),
      what: 'deep nesting',
    });
    cases.push({
      url: plain(),
      headers: { 'content-type': 'text/plain' },
      body: Buffer.from('hello'),
      what: 'text/plain',
    });
    cases.push({
      url: plain(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: Buffer.from('a=1&b=%00'),
      what: 'form',
    });
    cases.push({
      url: plain(),
      headers: jsonHeaders,
      body: Buffer.from('x'.repeat(1024 * 1024 + 10)),
      what: 'over the body limit',
    });
    const required = op.body?.required ?? [];
    const base = Object.fromEntries(required.map((k) => [k, plausible(k, op.body?.properties[k])]));
    for (const [field, schema] of Object.entries(op.body?.properties ?? {}))
      for (const value of nastyJsonValues(Array.isArray(schema.type) ? schema.type[0] : schema.type))
        cases.push({
          url: plain(),
          headers: jsonHeaders,
          body: json({ ...base, [field]: value }),
          what: `body.${field}=${JSON.stringify(value)?.slice(0, 20)}`,
        });
  }
  return cases;
}

describe('API fuzz', () => {
  it('malformed input on every route: never a 5xx or a dropped connection; denials audited; no secret ' +
    'logged', async () => {
    const doc = await (
      await fetch(`${base}/api/v1/openapi.json`, { headers: { authorization: `Bearer ${admin}` } })
    ).json();
    const ops = operationsOf(doc as Parameters<typeof operationsOf>[0]);
    expect(ops.length).toBeGreaterThan(40);
    // A schema turned into parameters (the OIDC callback once listed `type` and `propertyNames`) is a defect too.
    const keywords = ['type', 'properties', 'propertyNames', 'additionalProperties', 'required', 'items', 'anyOf'];
    expect(
      ops.flatMap((op) => op.params.filter((p) => keywords.includes(p.name)).map((p) => `${op.url} ${p.name}`)),
    ).toEqual([]);
    const roles = ['none', 'viewer', 'admin', 'session'] as const;
    // Paths, queries and framing go to everyone. A nasty body field goes to an admin (it gets furthest)
    // and to a viewer or the dashboard person; not to nobody, who is refused before the body is read.
    const rolesFor = (what: string, url: string) =>
      (what.startsWith('body.') ? ['admin', pick(['viewer', 'session'] as const)] : roles)
        // The dashboard person does not log out mid-run (the rest of their requests would only test a 401).
        .filter((who) => who !== 'session' || url !== '/api/v1/auth/logout');
    const all = ops.flatMap((op) =>
      casesOf(op).flatMap((c) => rolesFor(c.what, op.url).map((who) => ({ op, who, ...c }))),
    );
    // A seeded sample keeps the run bounded.
    const chosen = all.length <= maxRequests ? all : all.filter(() => random() < maxRequests / all.length);
    const denied = async () =>
      Number(
        (await h.db.query<{ n: number }>(`select count(*)::int as n from audit_log where outcome = 'denied'`)).rows[0]!
          .n,
      );
    const deniedBefore = await denied();
    const failures: string[] = [];
    let deniedAnswers = 0;
    const started = Date.now();
    for (const c of chosen) {
      const who = c.who;
      // The dashboard's requests carry the CSRF token, but not always: a forgotten one is a denial too.
      const session = { cookie: dashboard.cookie, ...(random() < 0.8 ? { 'x-csrf-token': dashboard.csrfToken } : {}) };
      const auth: Record<string, string> =
        who === 'none'
          ? {}
          : who === 'session'
            ? session
            : { authorization: `Bearer ${who === 'admin' ? admin : viewer}` };
      const answer = await send(c.op.method, c.url, { ...c.headers, ...auth }, c.body);
      if (answer.error || answer.status === undefined || answer.status >= 500)
        failures.push(`${c.op.method} ${c.op.url} [${c.what}] as ${who}: ${answer.status ?? ''} ${answer.error ?? ''}`);
      // 429: logins refused by the lockout are denied attempts too (the audit hook records them so).
      if (answer.status === 401 || answer.status === 403 || answer.status === 429) deniedAnswers++;
    }
    const took = Date.now() - started;
    expect(failures).toEqual([]);
    // Every denied request left exactly one row, whatever its bytes.
    expect(await denied()).toBe(deniedBefore + deniedAnswers);
    const log = logLines.join('');
    for (const secret of [admin, viewer, planted]) {
      expect(log).not.toContain(secret);
      expect(log).not.toContain(hashToken(secret));
    }
    const cookieValue = dashboard.cookie.split('=')[1]!;
    for (const secret of [cookieValue, hashToken(cookieValue), dashboard.csrfToken, password])
      expect(log).not.toContain(secret);
    // Nor any other token (POST /tokens made some) or sha256 hex: nothing the coordinator logs is either.
    expect(log).not.toMatch(/slw_[A-Za-z0-9_-]{20}/);
    expect(log).not.toMatch(/(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])/);
    expect(log).not.toMatch(/\$argon2id\$/);
    expect(log).not.toContain(createHash('sha256').update(admin).digest('base64'));
    process.stderr.write(`api fuzz: ${chosen.length} requests over ${ops.length} operations in ${took} ms\n`);
  }, 240_000);
});
