import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { request } from 'undici';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi } from '../../../test/support/api-harness.js';
import { engineHarness, type Harness } from '../../../test/support/engine-harness.js';
import { envelopeOf, sentryEvent } from '../../../test/support/sentry-envelopes.js';
import { ensureAdminToken } from '../../api/auth.js';
import { silentLogger } from '../../shared/logging.js';
import { latestEventOf } from './stored-event.js';
import { ErrorIngest } from './error-ingest.js';
import { ensureDsnKey, rotateDsnKey } from './dsn.js';

/**
 * The ingest endpoints as an SDK (or an attacker) meets them: auth, limits, bad input, duplicates — through Fastify
 * (`inject`), and over HTTP, where plain requests take the raw node:http path (src/api/ingest-fast-path.ts) and the
 * rest go to Fastify: every answer, audit entry and stored row must be the same either way.
 */
const admin = 'slw_ingest-api-test-admin-token-00000';
let h: Harness;
let app: FastifyInstance;
let ingest: ErrorIngest;
let key: { id: number; publicKey: string };
let base: string;

interface Answer {
  statusCode: number;
  body: string;
  headers: Record<string, unknown>;
  json: () => any;
}
type Send = (r: {
  method: 'POST';
  url: string;
  headers?: Record<string, string>;
  payload: Buffer | string;
}) => Promise<Answer>;

const transports: Record<'fastify' | 'http', Send> = {
  fastify: async (r) => {
    const res = await app.inject(r);
    return { statusCode: res.statusCode, body: res.body, headers: res.headers, json: () => res.json() };
  },
  http: async (r) => {
    const res = await request(`${base}${r.url}`, { method: r.method, headers: r.headers ?? {}, body: r.payload });
    const body = await res.body.text();
    return { statusCode: res.statusCode, body, headers: res.headers, json: () => JSON.parse(body) };
  },
};
let send: Send;

const post = (body: Buffer, o: { key?: string; id?: number; encoding?: string; path?: string } = {}) =>
  send({
    method: 'POST',
    url: `/api/${o.id ?? key.id}/${o.path ?? 'envelope'}/`,
    headers: {
      'content-type': 'application/x-sentry-envelope',
      'x-sentry-auth': `Sentry sentry_version=7, sentry_client=test/1.0, sentry_key=${o.key ?? key.publicKey}`,
      ...(o.encoding ? { 'content-encoding': o.encoding } : {}),
    },
    payload: body,
  });
const count = async (table: string) =>
  Number((await h.db.query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0]!.n);

beforeAll(async () => {
  h = await engineHarness();
  await ensureAdminToken(h.db, admin);
  ingest = new ErrorIngest({ db: h.db, logger: silentLogger, rateLimit: { perSecond: 1, burst: 40 } });
  app = await testApi(h, { errors: ingest });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  await app?.close();
  await ingest?.close();
  await h?.close();
});

describe.each(['fastify', 'http'] as const)('Sentry ingest endpoints (%s)', (transport) => {
  let auditFrom = 0;
  beforeAll(async () => {
    send = transports[transport];
    // A key of its own (the flood below empties its rate-limit bucket), and the audit entries from here on.
    key = await rotateDsnKey(h.db, 'harbor', 'staging');
    auditFrom = Number(
      (await h.db.query<{ n: number }>(`select coalesce(max(seq), 0)::int as n from audit_log`)).rows[0]!.n,
    );
  });

  it('a gzip envelope is stored; the same event id again is ignored', async () => {
    const event = sentryEvent({ type: `RangeError${transport}`, value: 'premium out of range' });
    const before = await count('error_events');
    const body = gzipSync(
      envelopeOf([
        ['event', event],
        ['client_report', { discarded_events: [] }],
      ]),
    );
    const first = await post(body, { encoding: 'gzip' });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({ id: event.event_id });
    expect((await post(body, { encoding: 'gzip' })).statusCode).toBe(200);
    await ingest.flush();
    expect(await count('error_events')).toBe(before + 1);
    const issues = await h.db.query<{ event_count: number }>(
      `select event_count from error_issues where exception_type = $1`,
      [`RangeError${transport}`],
    );
    expect(issues.rows.map((r) => Number(r.event_count))).toEqual([1]);
  });

  it("an SDK's gzip envelope of one event is stored as sent, and read back as the event", async () => {
    const event = sentryEvent({ type: 'TypeError', value: 'rate table missing', release: '9.9.9' });
    const body = gzipSync(envelopeOf([['event', event]], { event_id: event.event_id }));
    expect((await post(body, { encoding: 'gzip' })).statusCode).toBe(200);
    await ingest.flush();
    const { rows } = await h.db.query<{ issue_id: string; payload: Buffer }>(
      `select issue_id, payload from error_events where event_id = $1`,
      [event.event_id],
    );
    expect(Buffer.compare(rows[0]!.payload, body)).toBe(0); // not decompressed and compressed again
    const latest = await latestEventOf(h.db, rows[0]!.issue_id, '*');
    expect(latest!.payload).toEqual(event);
  });

  it('flush waits for bodies still being read in a thread, not only for what is queued', async () => {
    const events = Array.from({ length: 5 }, (_, i) => sentryEvent({ type: `FlushError${i}`, padBytes: 20_000 }));
    const sdk = await ingest.authenticate(key.id, key.publicKey);
    const answers = events.map((e) =>
      ingest.ingest(sdk, gzipSync(envelopeOf([['event', e]], { event_id: e.event_id })), 'gzip', 'envelope'),
    );
    await ingest.flush(); // before any answer is awaited
    const { rows } = await h.db.query<{ n: number }>(
      `select count(*)::int as n from error_events where event_id = any($1::text[])`,
      [events.map((e) => e.event_id)],
    );
    expect(rows[0]!.n).toBe(5);
    expect(await Promise.all(answers)).toEqual(events.map((e) => e.event_id));
  });

  it('the legacy store endpoint takes one event, deflated, with sentry_key in the query', async () => {
    const event = sentryEvent({ message: 'ledger lag above 5 s' });
    const { deflateSync } = await import('node:zlib');
    const res = await send({
      method: 'POST',
      url: `/api/${key.id}/store/?sentry_key=${key.publicKey}&sentry_version=7`,
      headers: { 'content-type': 'application/json', 'content-encoding': 'deflate' },
      payload: deflateSync(JSON.stringify(event)),
    });
    expect(res.statusCode, res.body).toBe(200);
    await ingest.flush();
    const { rows } = await h.db.query<{ title: string }>(`select title from error_issues where level = 'error'`);
    expect(rows.map((r) => r.title)).toContain('ledger lag above 5 s');
  });

  it('a malformed envelope is a 400 with the reason, and nothing of it is stored', async () => {
    const before = await count('error_events');
    const good = sentryEvent({ type: 'GoodError' });
    const cases: [Buffer, RegExp][] = [
      [Buffer.from('not json\n'), /envelope header: not valid JSON/],
      [
        envelopeOf([
          ['event', good],
          ['event', '{"broken": '],
        ]),
        /item 2 \(event\): event: not valid JSON/,
      ],
      [envelopeOf([['event', { ...good, event_id: 'xyz' }]]), /event_id: "xyz" is not 32 hex digits/],
      [envelopeOf([['session', { status: 'ok', init: true }]]), /session\.attrs\.release: required/],
      [Buffer.from('{}\n{"type":"event","length":900}\n{}'), /"length" 900 runs past the end/],
      [envelopeOf([['event', { ...good, fingerprint: [1] }]]), /event\.fingerprint: expected an array of strings/],
    ];
    for (const [body, reason] of cases) {
      const res = await post(body);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.message).toMatch(reason);
    }
    const gz = await post(Buffer.from('definitely not gzip'), { encoding: 'gzip' });
    expect([gz.statusCode, gz.json().error.message]).toEqual([
      400,
      'the body is not valid gzip data (Content-Encoding: gzip)',
    ]);
    await ingest.flush();
    expect(await count('error_events')).toBe(before);
    expect((await h.db.query(`select 1 from error_issues where title like 'GoodError%'`)).rowCount).toBe(0);
  });

  it('too large is a 413: the body, what it decompresses to, one event', async () => {
    const huge = sentryEvent({ padBytes: 1_200_000 });
    expect((await post(envelopeOf([['event', huge]]))).statusCode).toBe(413);
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20));
    const res = await post(bomb, { encoding: 'gzip' });
    expect([res.statusCode, res.json().error.message]).toEqual([
      413,
      'the body decompresses to more than 8388608 bytes',
    ]);
    expect((await post(Buffer.alloc(3 * 1024 * 1024, 0x20))).statusCode).toBe(413);
  });

  it('a wrong key is a 401, a revoked one a 403; both audited, the key never in the log', async () => {
    const wrong = await post(envelopeOf([]), { key: 'f'.repeat(32) });
    expect([wrong.statusCode, wrong.json().error.message]).toEqual([401, `unknown DSN key for project id ${key.id}`]);
    expect((await post(envelopeOf([]), { id: 999_999 })).statusCode).toBe(401);
    const missing = await send({ method: 'POST', url: `/api/${key.id}/envelope/`, payload: '{}' });
    expect(missing.statusCode).toBe(401);
    const rotated = await app.inject({
      method: 'POST',
      url: '/api/v1/projects/harbor/dsn/rotate',
      headers: { authorization: `Bearer ${admin}` },
      payload: { environment: 'staging' },
    });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const old = await post(envelopeOf([]));
    expect(old.statusCode).toBe(403);
    expect(old.json().error.message).toMatch(/was revoked at/);
    const { rows } = await h.db.query<{ action: string; status: number; after: unknown }>(
      `select action, status, after from audit_log where outcome = 'denied' and action = 'errors.ingest' and seq > $1
       order by seq`,
      [auditFrom],
    );
    expect(rows.map((r) => r.status)).toEqual([401, 401, 401, 403]);
    expect(JSON.stringify(rows)).not.toContain(key.publicKey);
    // Accepted ingest requests are traffic, not changes: not one in the audit log.
    expect(
      (await h.db.query(`select 1 from audit_log where action = 'errors.ingest' and outcome = 'allowed'`)).rowCount,
    ).toBe(0);
    key = await ensureDsnKey(h.db, 'harbor', 'staging');
  });

  it('a flood gets 429 with Retry-After per key', async () => {
    const other = await ensureDsnKey(h.db, 'harbor', 'production');
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 60; i++) {
      const res = await post(envelopeOf([]));
      statuses.push(res.statusCode);
      if (res.statusCode === 429) retryAfter = String(res.headers['retry-after']);
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    // Another key has its own bucket.
    expect((await post(envelopeOf([]), { id: other.id, key: other.publicKey })).statusCode).toBe(200);
  });
});
