import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi } from '../../../test/support/api-harness.js';
import { engineHarness, type Harness } from '../../../test/support/engine-harness.js';
import { envelopeOf, sentryEvent } from '../../../test/support/sentry-envelopes.js';
import { ensureAdminToken } from '../../api/auth.js';
import { createCoordinatorMetrics } from '../../api/metrics.js';
import { redactedPaths } from '../../shared/logging.js';
import type { Db, Queryable } from '../../store/db.js';
import { ensureDsnKey, rotateDsnKey } from './dsn.js';
import { ErrorIngest } from './error-ingest.js';

/**
 * Issue 10's "bad input gets a clear error, and nothing is lost": when the store refuses the ingest's writes, SDKs
 * still get their 200 (the envelope was accepted; an error would make them retry it), the events are dropped with
 * a counter on /metrics and one log line per burst, nothing of a failed batch stays, and deployments carry on. A
 * flood of one key gets 429s with Retry-After while the coordinator keeps answering others.
 */
const admin = 'slw_ingest-store-down-test-admin-000';
let h: Harness;
let app: FastifyInstance;
let ingest: ErrorIngest;
let base: string;
const logLines: Record<string, unknown>[] = [];
/** While set, the ingest's store fails on its third statement of a transaction, as a full disk would. */
let full = false;
let refused = 0;

/** The store as the ingest sees it: inside a transaction, inserts into the per-release counts fail while `full`. */
function fillingStore(db: Db): Db {
  const view: Db = {
    driver: db.driver,
    query: (sql, params) => db.query(sql, params),
    exec: (script) => db.exec(script),
    background: () => view,
    deployment: () => view,
    close: () => db.close(),
    transaction: (fn) =>
      db.transaction((tx) => {
        const failing: Queryable = {
          exec: (script) => tx.exec(script),
          query: async (sql, params) => {
            // After the issues and the events are written: what went before must be rolled back with it.
            if (full && sql.includes('insert into error_issue_counts')) {
              refused++;
              throw new Error('could not extend file "base/16384/24601": No space left on device');
            }
            return tx.query(sql, params);
          },
        };
        return fn(failing);
      }),
  };
  return view;
}

const count = async (table: string) =>
  Number((await h.db.query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0]!.n);
/** What the ingest writes: events, issues, their per-release counts and users, and the issue events of the log. */
const ingestTables = [
  'error_events',
  'error_issues',
  'error_issue_counts',
  'error_issue_users',
  "events where kind like 'error.%'",
];
const post = (k: { id: number; publicKey: string }, body: Buffer) =>
  request(`${base}/api/${k.id}/envelope/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-sentry-envelope',
      'content-encoding': 'gzip',
      'x-sentry-auth': `Sentry sentry_version=7, sentry_client=test/1.0, sentry_key=${k.publicKey}`,
    },
    body: gzipSync(body),
  });
const metric = async (name: string) => {
  const res = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${admin}` } });
  return res.body.split('\n').find((l) => l.startsWith(name));
};

beforeAll(async () => {
  h = await engineHarness();
  await ensureAdminToken(h.db, admin);
  const logger = pino(
    { level: 'debug', redact: { paths: redactedPaths, censor: '[redacted]' } },
    { write: (line: string) => void logLines.push(JSON.parse(line)) },
  );
  const metrics = createCoordinatorMetrics(h.db);
  // One event per transaction: a burst is several failed batches, and must still be one log line.
  ingest = new ErrorIngest({
    db: fillingStore(h.db),
    logger,
    registry: metrics.registry,
    batchEvents: 1,
    batchWaitMs: 0,
    rateLimit: { perSecond: 2, burst: 20 },
  });
  app = await testApi(h, { errors: ingest, metrics });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  await app?.close();
  await ingest?.close();
  await h?.close();
});

describe('error ingest when the store refuses its writes', () => {
  it('answers 200, counts and logs a burst of drops once, keeps nothing half-written; deployments go on', async () => {
    const key = await ensureDsnKey(h.db, 'harbor', 'staging');
    const before = await Promise.all(ingestTables.map(count));
    full = true;
    const deployment = await h.engine.deploy({
      project: 'harbor',
      service: 'api',
      environment: 'staging',
      version: '1.0.0',
    });
    const events = Array.from({ length: 6 }, (_, i) => sentryEvent({ type: `DiskFullError${i}`, user: `u${i}` }));
    for (const e of events) {
      const res = await post(key, envelopeOf([['event', e]], { event_id: e.event_id }));
      expect(res.statusCode).toBe(200);
      expect(await res.body.json()).toEqual({ id: e.event_id });
      await ingest.flush();
    }
    expect(refused).toBe(6);
    expect(await Promise.all(ingestTables.map(count))).toEqual(before);
    expect(await metric('slipway_error_events_dropped_total{reason="store_failed"}')).toMatch(/ 6$/);
    expect((await h.waitFinished(deployment.id, 20_000)).state).toBe('succeeded');

    const failures = logLines.filter((l) => /could not store error events/.test(String(l.msg)));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      level: 50,
      events: 1,
      dropped: 1,
      err: expect.stringMatching(/No space left/),
    });

    // The store has room again: the next event is stored, and one line says how many the burst dropped.
    full = false;
    const after = sentryEvent({ type: 'AfterTheBurst' });
    expect((await post(key, envelopeOf([['event', after]], { event_id: after.event_id }))).statusCode).toBe(200);
    await ingest.flush();
    expect((await h.db.query(`select 1 from error_events where event_id = $1`, [after.event_id])).rowCount).toBe(1);
    const recovered = logLines.filter((l) => /storing error events again/.test(String(l.msg)));
    expect(recovered).toEqual([expect.objectContaining({ level: 30, dropped: 6 })]);
    expect(JSON.stringify(logLines)).not.toContain(key.publicKey);
  }, 60_000);

  it('a flood of one key gets 429 with Retry-After; /healthz and another key still answer', async () => {
    const flooded = await rotateDsnKey(h.db, 'harbor', 'staging');
    const other = await ensureDsnKey(h.db, 'harbor', 'production');
    const body = envelopeOf([['client_report', { discarded_events: [] }]]);
    const flood = Array.from({ length: 300 }, () =>
      post(flooded, body).then(async (r) => {
        await r.body.dump();
        return { status: r.statusCode, retryAfter: r.headers['retry-after'] };
      }),
    );
    // While the flood is in flight: generous bounds, this is about not hanging, not about speed.
    const started = Date.now();
    const health = await request(`${base}/healthz`);
    await health.body.dump();
    const otherKey = await post(other, body);
    await otherKey.body.dump();
    expect([health.statusCode, otherKey.statusCode]).toEqual([200, 200]);
    expect(Date.now() - started).toBeLessThan(15_000);
    const answers = await Promise.all(flood);
    const limited = answers.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(250);
    expect(answers.every((a) => a.status === 200 || a.status === 429)).toBe(true);
    expect(limited.every((a) => Number(a.retryAfter) >= 1)).toBe(true);
    expect(logLines.some((l) => JSON.stringify(l).includes(flooded.publicKey))).toBe(false);
  }, 60_000);
});
