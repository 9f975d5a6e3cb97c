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
 * types, broken JSON — as nobody, a viewer and an admin. No answer may be a 5xx or a dropped
 * connection; every denied request is in the audit log; no log line holds a token or a hash.
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
const random = seeded(20261204);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;

interface Operation {
  method: string;
  url: string;
  params: { name: string; in: 'path' | 'query'; type?: string; required?: boolean }[];
  body?: { properties: Record<string, { type?: string }>; required: string[] };
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
];
/** Values for a JSON field of each type. */
function nastyJsonValues(type: string | undefined): unknown[] {
  const strings = ['a\u0000b', '\ud800', 'x'.repeat(1024 * 1024), '\u0007\u001b[31m', '../../etc', '', ' '];
  const wrong = [42, -1, Number.MAX_VALUE, true, null, [], {}, [1, 2], { nested: { deep: 'x' } }];
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
      ]?.schema;
      ops.push({
        method: method.toUpperCase(),
        url,
        params,
        ...(schema
          ? {
              body: {
                properties: (schema.properties ?? {}) as Record<string, { type?: string }>,
                required: (schema.required ?? []) as string[],
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
    for (const [field, schema] of Object.entries(op.body?.properties ?? {}))
      for (const value of nastyJsonValues(schema.type))
        cases.push({
          url: plain(),
          headers: jsonHeaders,
          body: json({ [field]: value }),
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
    const roles = ['none', 'viewer', 'admin'] as const;
    const all = ops.flatMap((op) => casesOf(op).flatMap((c) => roles.map((who) => ({ op, who, ...c }))));
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
      const auth: Record<string, string> =
        who === 'none' ? {} : { authorization: `Bearer ${who === 'admin' ? admin : viewer}` };
      const answer = await send(c.op.method, c.url, { ...c.headers, ...auth }, c.body);
      if (answer.error || answer.status === undefined || answer.status >= 500)
        failures.push(`${c.op.method} ${c.op.url} [${c.what}] as ${who}: ${answer.status ?? ''} ${answer.error ?? ''}`);
      if (answer.status === 401 || answer.status === 403) deniedAnswers++;
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
    expect(log).not.toMatch(/\$argon2id\$/);
    expect(log).not.toContain(createHash('sha256').update(admin).digest('base64'));
    process.stderr.write(`api fuzz: ${chosen.length} requests over ${ops.length} operations in ${took} ms\n`);
  }, 240_000);
});
