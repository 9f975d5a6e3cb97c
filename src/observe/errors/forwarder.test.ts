import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { envelopeOf, sentryEvent } from '../../../test/support/sentry-envelopes.js';
import { freshPglite } from '../../../test/support/store.js';
import { silentLogger } from '../../shared/logging.js';
import type { Db } from '../../store/db.js';
import { ensureDsnKey } from './dsn.js';
import { parseEnvelope } from './envelope.js';
import { ErrorIngest } from './error-ingest.js';
import { parseUpstreamDsn, SentryForwarder } from './forwarder.js';

/**
 * A stand-in for a Sentry ingest host (no Sentry can run here): it checks each request the way
 * Sentry's envelope endpoint documents it (https://develop.sentry.dev/sdk/envelopes/,
 * https://develop.sentry.dev/sdk/overview/#authentication) and answers what the test scripts.
 */
interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}
let upstream: Server;
let origin: string;
const received: Received[] = [];
let answers: { status: number; headers?: Record<string, string> }[] = [];
let hang = false;
beforeAll(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      if (hang) return; // never answers: the forwarder's timeout must end it
      const a = answers.shift() ?? { status: 200 };
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
      res.end(a.status === 200 ? '{"id":"x"}' : '{"detail":"try later"}');
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterAll(async () => {
  upstream.closeAllConnections();
  await new Promise((r) => upstream.close(r));
});

let db: Db | undefined;
let ingest: ErrorIngest | undefined;
afterEach(async () => {
  await ingest?.close();
  await db?.close();
  ingest = undefined;
  db = undefined;
  received.length = 0;
  answers = [];
  hang = false;
});

const upstreamKey = '0123456789abcdef0123456789abcdef';
async function setup(o: { dsn?: string; timeoutMs?: number } = {}) {
  db = await freshPglite();
  const registry = new Registry();
  const forward = new SentryForwarder({
    logger: silentLogger,
    registry,
    upstreamFor: async (_project, environment) =>
      environment === 'production' ? (o.dsn ?? `${origin.replace('//', `//${upstreamKey}@`)}/42`) : undefined,
    backoffMs: 20,
    attempts: 4,
    timeoutMs: o.timeoutMs ?? 10_000,
  });
  ingest = new ErrorIngest({ db, logger: silentLogger, forward });
  const key = await ensureDsnKey(db, 'harbor', 'production');
  const outcomes = async () => {
    const metric = await registry.getSingleMetric('slipway_error_envelopes_forwarded_total')!.get();
    return Object.fromEntries(metric.values.map((v) => [v.labels.outcome, v.value]));
  };
  return { forward, key, ingest, outcomes };
}

describe('forwarding to an upstream Sentry', () => {
  it('relays the envelope as sent, with the upstream key in X-Sentry-Auth; stores it too', async () => {
    const { forward, key, ingest } = await setup();
    const event = sentryEvent({ type: 'TypeError', value: 'premium is undefined', release: '2.1.0' });
    const envelope = envelopeOf([
      ['event', event],
      ['client_report', { discarded_events: [] }],
    ]);
    const body = gzipSync(envelope);
    expect(await ingest.ingest(key, body, 'gzip', 'envelope')).toBe(event.event_id);
    await forward.drained();
    await ingest.flush();
    expect(received).toHaveLength(1);
    const [r] = received;
    expect(r!.path).toBe('/api/42/envelope/');
    expect(r!.headers['content-type']).toBe('application/x-sentry-envelope');
    expect(r!.headers['content-encoding']).toBe('gzip');
    const auth = String(r!.headers['x-sentry-auth']);
    expect(auth).toMatch(/^Sentry sentry_version=7, sentry_key=[0-9a-f]{32}, sentry_client=slipway-relay\/[\d.]+$/);
    expect(auth).toContain(`sentry_key=${upstreamKey}`);
    expect(auth).not.toContain(key.publicKey);
    // The same bytes the SDK sent: a valid envelope whose event is the SDK's event.
    const relayed = gunzipSync(r!.body);
    expect(relayed.equals(envelope)).toBe(true);
    const parsed = parseEnvelope(relayed);
    expect(parsed.items.map((i) => i.type)).toEqual(['event', 'client_report']);
    expect(JSON.parse(parsed.items[0]!.payload.toString('utf8'))).toEqual(event);
    const stored = await db!.query<{ n: number }>('select count(*)::int as n from error_events');
    expect(stored.rows[0]!.n).toBe(1);
  });

  it('the legacy store endpoint relays to /store/; an environment without an upstream DSN relays nothing', async () => {
    const { forward, ingest } = await setup();
    const production = await ensureDsnKey(db!, 'harbor', 'production');
    const staging = await ensureDsnKey(db!, 'harbor', 'staging');
    const event = sentryEvent({ type: 'KeyError', value: "'premium'" });
    await ingest.ingest(production, Buffer.from(JSON.stringify(event)), undefined, 'store');
    await ingest.ingest(staging, envelopeOf([['event', sentryEvent({})]]), undefined, 'envelope');
    await forward.drained();
    expect(received.map((r) => r.path)).toEqual(['/api/42/store/']);
    expect(received[0]!.headers['content-type']).toBe('application/json');
    expect(received[0]!.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(received[0]!.body.toString('utf8'))).toEqual(event);
  });

  it('retries 5xx and 429 (Retry-After) with backoff until upstream takes it', async () => {
    const { forward, key, ingest, outcomes } = await setup();
    answers = [{ status: 503 }, { status: 429, headers: { 'retry-after': '0' } }, { status: 200 }];
    await ingest.ingest(key, envelopeOf([['event', sentryEvent({})]]), undefined, 'envelope');
    await forward.drained();
    expect(received).toHaveLength(3);
    expect(await outcomes()).toEqual({ sent: 1 });
    expect(new Set(received.map((r) => r.body.toString('base64'))).size).toBe(1);
  });

  it('gives up after the attempts; a 4xx is not retried', async () => {
    const { forward, key, ingest, outcomes } = await setup();
    answers = Array.from({ length: 4 }, () => ({ status: 502 }));
    await ingest.ingest(key, envelopeOf([['event', sentryEvent({})]]), undefined, 'envelope');
    await forward.drained();
    expect(await outcomes()).toEqual({ dropped_failed: 1 });
    // 4 attempts; one may fail before upstream sees it (a kept-alive socket closed under it), on a busy machine.
    expect(received.length).toBeGreaterThanOrEqual(3);
    expect(received.length).toBeLessThanOrEqual(4);
    received.length = 0;
    answers = [{ status: 400 }];
    await ingest.ingest(key, envelopeOf([['event', sentryEvent({})]]), undefined, 'envelope');
    await forward.drained();
    expect(received).toHaveLength(1);
    expect(await outcomes()).toEqual({ dropped_failed: 1, refused: 1 });
  });

  it('an upstream that never answers does not hold up ingest or storage', async () => {
    const { forward, key, ingest, outcomes } = await setup({ timeoutMs: 500 });
    hang = true;
    const events = Array.from({ length: 5 }, () => sentryEvent({ type: 'SlowUpstream' }));
    for (const e of events) await ingest.ingest(key, envelopeOf([['event', e]]), undefined, 'envelope');
    await ingest.flush();
    const stored = await db!.query<{ n: number }>('select count(*)::int as n from error_events');
    expect(stored.rows[0]!.n).toBe(5);
    await forward.drained(); // every attempt timed out and was retried, then dropped
    expect(await outcomes()).toEqual({ dropped_failed: 5 });
    expect(received.length).toBeGreaterThan(5); // retried (an attempt cut short before it is sent is not seen)
  });
});

describe('upstream DSN', () => {
  it('takes a Sentry DSN apart; anything else is refused', () => {
    expect(parseUpstreamDsn('https://abc@o12.ingest.sentry.io/4501')).toEqual({
      origin: 'https://o12.ingest.sentry.io',
      publicKey: 'abc',
      projectId: '4501',
    });
    expect(parseUpstreamDsn('https://abc@sentry.example.com/prefix/7')?.origin).toBe(
      'https://sentry.example.com/prefix',
    );
    expect(parseUpstreamDsn('https://sentry.example.com/7')).toBeUndefined();
    expect(parseUpstreamDsn('https://abc@sentry.example.com/project')).toBeUndefined();
    expect(parseUpstreamDsn('not a dsn')).toBeUndefined();
  });
});
