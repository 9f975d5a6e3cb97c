import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import type { AuditEntry } from '../access/audit/types.js';
import type { ErrorIngest } from '../observe/errors/error-ingest.js';
import { IngestError } from '../observe/errors/ingest-error.js';
import type { Logger } from '../shared/logging.js';
import { silentLogger } from '../shared/logging.js';
import type { Queryable } from '../store/db.js';
import { ingestFastPath } from './ingest-fast-path.js';
import { createCoordinatorMetrics } from './metrics.js';

/**
 * Which requests the raw ingest path takes (the rest go on to Fastify, here a stand-in answering 599), and how it
 * answers them. That its answers equal Fastify's is tested end to end in src/observe/errors/ingest-api.test.ts.
 */
let server: http.Server;
let base: string;
let closing = false;
let leader = true;
let outcome: (body: Buffer) => Promise<string | undefined>;
let audited: AuditEntry[] = [];
let auditWorks = true;
let logged: unknown[] = [];
const metrics = createCoordinatorMetrics({} as Queryable);
const ingest = {
  authenticate: async (id: number, presented: string | undefined) => {
    if (presented !== 'k'.repeat(32)) throw new IngestError(401, `unknown DSN key for project id ${id}`);
    return { id, project: 'harbor', environment: 'staging', publicKey: presented };
  },
  ingest: (_key: unknown, body: Buffer) => outcome(body),
} as unknown as ErrorIngest;
const logger = { ...silentLogger, error: (...a: unknown[]) => logged.push(a) } as unknown as Logger;

beforeAll(async () => {
  const fast = ingestFastPath({
    ingest: () => ingest,
    metrics,
    logger,
    audit: async (entry) => {
      audited.push(entry);
      return auditWorks;
    },
    leadership: {
      isLeader: () => leader,
      leaderUrl: () => undefined,
      describe: () => ({ role: 'leader', holder: 'x' }),
    },
    closing: () => closing,
  });
  server = http.createServer((req, res) => {
    if (fast(req, res)) return;
    req.resume();
    req.on('end', () => res.writeHead(599).end('fastify'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));
beforeEach(() => {
  closing = false;
  leader = true;
  outcome = async () => 'a'.repeat(32);
  audited = [];
  auditWorks = true;
  logged = [];
});

const key = 'k'.repeat(32);
const post = async (
  path: string,
  o: { method?: string; body?: Buffer | Readable; headers?: Record<string, string> } = {},
) => {
  const res = await request(`${base}${path}`, {
    method: (o.method ?? 'POST') as 'POST',
    headers: o.headers ?? {},
    body: o.method === 'GET' ? undefined : (o.body ?? Buffer.from('{}\n')),
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
};

/** A request written by hand: headers no client library would send together. */
function rawPost(path: string, headers: Record<string, string>, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect((server.address() as AddressInfo).port, '127.0.0.1', () => {
      const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
      socket.end(`POST ${path} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n${head.join('')}\r\n${body}`);
    });
    let text = '';
    socket.on('data', (d) => (text += d.toString()));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('the raw ingest path', () => {
  it('answers a plain envelope or store request itself, with the route metrics', async () => {
    const counted = async () =>
      (await metrics.requests.get()).values.find(
        (v) => v.labels.route === '/api/:projectId/envelope/' && v.labels.status === '200',
      )?.value ?? 0;
    const before = await counted();
    const ok = await post(`/api/7/envelope/?sentry_key=${key}&sentry_version=7`);
    expect(ok).toMatchObject({ status: 200, text: JSON.stringify({ id: 'a'.repeat(32) }) });
    expect(ok.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(ok.headers['access-control-allow-origin']).toBe('*');
    expect(await counted()).toBe(before + 1);
    const header = { 'x-sentry-auth': `Sentry sentry_version=7, sentry_key=${key}` };
    expect((await post('/api/7/store/', { headers: header })).status).toBe(200);
    outcome = async () => undefined;
    expect((await post('/api/7/envelope/', { headers: header })).text).toBe('{}');
  });

  it('leaves everything but the plain case to Fastify', async () => {
    const q = `?sentry_key=${key}`;
    expect((await post(`/api/7/envelope/${q}`, { method: 'GET' })).status).toBe(599);
    expect((await post(`/api/x7/envelope/${q}`)).status).toBe(599);
    expect((await post(`/api/7/envelope${q}`)).status).toBe(599);
    expect((await post(`/api/7/envelopes/${q}`)).status).toBe(599);
    expect((await post(`/api/7/envelope/${q}&sentry_key=${key}`)).status).toBe(599);
    expect((await post(`/api/7/envelope/${q}&sentry_client=a%00b`)).status).toBe(599);
    // Past the body limit by its Content-Length, or chunked with a Content-Length: Fastify answers those.
    expect((await post(`/api/7/envelope/${q}`, { body: Buffer.alloc(3 * 1024 * 1024, 0x20) })).status).toBe(599);
    const both = { 'content-length': '3', 'transfer-encoding': 'chunked' };
    const raw = await rawPost(`/api/7/envelope/${q}`, both, '3\r\n{}\n\r\n0\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 (400|599)/); // Node's parser refuses it before anyone (400), or Fastify gets it
    closing = true;
    expect((await post(`/api/7/envelope/${q}`)).status).toBe(599);
    closing = false;
    leader = false; // a follower forwards writes to the leader (leader-forward.ts)
    expect((await post(`/api/7/envelope/${q}`)).status).toBe(599);
    leader = true;
    expect((await post(`/api/7/envelope/${q}`)).status).toBe(200);
  });

  it("takes a chunked body (as @sentry/node sends it); Fastify's 413 past the limit, 400 when empty", async () => {
    const q = `?sentry_key=${key}`;
    const parts = [Buffer.from('{}\n'), Buffer.from('{"type":"event"}\n'), Buffer.from('{}')];
    let got: Buffer | undefined;
    outcome = async (body) => {
      got = Buffer.from(body);
      return 'b'.repeat(32);
    };
    const ok = await post(`/api/7/envelope/${q}`, { body: Readable.from(parts) });
    expect([ok.status, ok.text, got?.toString()]).toEqual([
      200,
      JSON.stringify({ id: 'b'.repeat(32) }),
      '{}\n{"type":"event"}\n{}',
    ]);
    const big = Array.from({ length: 3 }, () => Buffer.alloc(1024 * 1024, 0x20));
    const tooLarge = await post(`/api/7/envelope/${q}`, { body: Readable.from(big) });
    expect([tooLarge.status, JSON.parse(tooLarge.text)]).toEqual([
      413,
      { error: { code: 'invalid_input', message: 'Request body is too large' } },
    ]);
    const chunked = { 'transfer-encoding': 'chunked' };
    const empty = await rawPost(`/api/7/store/${q}`, chunked, '0\r\n\r\n');
    expect(empty).toMatch(/^HTTP\/1\.1 400 /);
    expect(empty).toContain('{"error":{"code":"invalid_input","message":"empty body: expected an event"}}');
    // The key is checked first, as the Fastify route does.
    expect(await rawPost('/api/7/store/?sentry_key=nope', chunked, '0\r\n\r\n')).toMatch(/^HTTP\/1\.1 401 /);
  });

  it('audits a denial before answering it, and says so when the audit write failed', async () => {
    const wrong = await post('/api/7/envelope/?sentry_key=nope');
    expect([wrong.status, JSON.parse(wrong.text)]).toEqual([
      401,
      { error: { code: 'unauthorized', message: 'unknown DSN key for project id 7' } },
    ]);
    expect(audited).toEqual([
      {
        actor: 'anonymous',
        action: 'errors.ingest',
        target: 'projectId=7',
        source: '127.0.0.1',
        outcome: 'denied',
        status: 401,
        after: { refused: 'unknown DSN key for project id 7' },
      },
    ]);
    expect(wrong.headers['slipway-audit']).toBeUndefined();
    outcome = async () => {
      throw new IngestError(429, 'rate limit of this DSN key reached; retry in 3 s', 3);
    };
    auditWorks = false;
    const limited = await post(`/api/7/envelope/?sentry_key=${key}`);
    expect([limited.status, limited.headers['retry-after'], limited.headers['slipway-audit']]).toEqual([
      429,
      '3',
      'failed',
    ]);
    // Refusals other than 401/403/429 are not audited (as the onSend hook does for DSN-key routes).
    outcome = async () => {
      throw new IngestError(400, 'envelope header: not valid JSON');
    };
    expect((await post(`/api/7/envelope/?sentry_key=${key}`)).status).toBe(400);
    expect(audited.map((a) => a.status)).toEqual([401, 429]);
  });

  it('a bug is a 500 and a log line without the query (it may hold the DSN key)', async () => {
    outcome = async () => {
      throw new Error('worker exploded');
    };
    const res = await post(`/api/7/envelope/?sentry_key=${key}`);
    expect([res.status, JSON.parse(res.text).error.code]).toEqual([500, 'internal']);
    const [fields] = logged[0] as [{ err: Error; url: string }];
    expect([fields.err.message, fields.url]).toEqual(['worker exploded', '/api/7/envelope/']);
    expect(JSON.stringify(logged)).not.toContain(key);
  });
});
