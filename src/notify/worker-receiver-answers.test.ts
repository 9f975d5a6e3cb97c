import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EventLog } from '../engine/event-log.js';
import { silentLogger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import { listNotifyDeliveries, type NotifyDelivery } from '../store/repos/notify-deliveries.js';
import {
  dispatchUntilWritten,
  emitDeploymentStarted,
  slackChat,
  storeProject,
  writeSlackChatDelivery,
} from '../../test/support/notify-fixtures.js';
import { freshDb } from '../../test/support/store.js';
import { Dispatcher } from './dispatcher.js';
import { SendThread } from './send-thread.js';
import { slackSender } from './slack/index.js';
import { DeliveryWorker } from './worker.js';

/**
 * What a real receiver's answer makes of a delivery: a 429 with Retry-After is tried again no sooner than asked (also
 * when the send thread sends it), and a refusal retrying cannot fix says what to do, naming the secret, not its value.
 */
let server: Server;
let base = '';
/** Each request the receiver read, and when. */
const arrivals: { path: string; at: number }[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      arrivals.push({ path: req.url ?? '', at: Date.now() });
      if (req.url === '/limited') res.writeHead(429, { 'retry-after': '2' }).end('rate_limited');
      else if (req.url === '/limited-once' && arrivals.filter((a) => a.path === '/limited-once').length === 1)
        res.writeHead(429, { 'retry-after': '1' }).end('rate_limited');
      else if (req.url === '/moved') res.writeHead(302, { location: 'https://hooks.example.test/final' }).end();
      else if (req.url === '/refused') res.writeHead(401).end('invalid_token');
      else if (req.url === '/gone') res.writeHead(404).end('no_service');
      else res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

let db: Db;
let worker: DeliveryWorker | undefined;
let thread: SendThread | undefined;
beforeEach(async () => {
  db = await freshDb();
  expect(await writeSlackChatDelivery(db, new EventLog(db, silentLogger))).toBe(1);
});
afterEach(async () => {
  await worker?.close();
  worker = undefined;
  await thread?.close();
  thread = undefined;
  await db.close();
});

function startWorker(path: string, sendThread?: SendThread): void {
  worker = new DeliveryWorker({
    db,
    senders: { slack: slackSender },
    secretsFor: async () => ({ SLACK_URL: `${base}${path}` }),
    logger: silentLogger,
    pollMs: 50,
    configCacheMs: 0,
    ...(sendThread ? { sendThread } : {}),
  });
  void worker.start();
}

/** The delivery once `done` says so (within 10 s). */
async function delivery(done: (d: NotifyDelivery) => boolean): Promise<NotifyDelivery> {
  const end = Date.now() + 10_000;
  for (;;) {
    const d = (await listNotifyDeliveries(db))[0];
    if (d && done(d)) return d;
    if (Date.now() > end) throw new Error(`the delivery is still ${d?.state} (attempts ${d?.attempts})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Retry-After', () => {
  for (const via of ['the send thread', 'the coordinator thread']) {
    it(`a 429 with Retry-After: 2 is due again 2 s later, not after the 100 ms backoff (${via})`, async () => {
      if (via === 'the send thread') thread = SendThread.create();
      const before = Date.now();
      startWorker('/limited', thread);
      const d = await delivery((x) => x.state === 'pending' && x.lastStatus === 429);
      const after = Date.now();
      expect(d.attempts).toBe(1);
      expect(d.lastError).toBe('HTTP 429: rate_limited');
      // The stored next_at: 2 s after the answer (the 100 ms backoff with its jitter would be < 150 ms).
      expect(d.nextAt.getTime()).toBeGreaterThanOrEqual(before + 1900);
      expect(d.nextAt.getTime()).toBeLessThanOrEqual(after + 2100);
    });
  }
});

describe('a refusal retrying cannot fix says what to do', () => {
  const secret = 'secret SLACK_URL (notifications.services.chat.url)';
  const cases: [string, string][] = [
    ['/moved', `HTTP 302, Location: [url] — redirects are not followed: set ${secret} to the final URL`],
    ['/refused', `HTTP 401: invalid_token — the receiver refused the credentials: check the URL or token in ${secret}`],
    ['/gone', `HTTP 404: no_service — the URL is no longer there: check ${secret}`],
  ];
  for (const [path, expected] of cases) {
    it(`${path}`, async () => {
      startWorker(path);
      const d = await delivery((x) => x.state === 'failed');
      expect(d.lastError).toBe(expected);
      expect(d.lastError).not.toContain(base);
    });
  }
});

describe('a Retry-After holds the whole service, not only the delivery it answered', () => {
  it('sends nothing more to a service before the time it asked for, then the rest of its queue', async () => {
    await storeProject(db, { ...slackChat, concurrency: 1 });
    const events = new EventLog(db, silentLogger);
    await emitDeploymentStarted(events, 'second');
    await emitDeploymentStarted(events, 'third');
    await dispatchUntilWritten(new Dispatcher({ db, linkBase: 'http://127.0.0.1:7420' }));
    expect(await listNotifyDeliveries(db)).toHaveLength(3);
    startWorker('/limited-once');
    const end = Date.now() + 10_000;
    while ((await listNotifyDeliveries(db)).some((d) => d.state !== 'sent')) {
      if (Date.now() > end) throw new Error('not all sent within 10 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    const times = arrivals.filter((a) => a.path === '/limited-once').map((a) => a.at);
    // The 429, then nothing for the second it asked (the other two waited in the queue), then all three sent.
    expect(times).toHaveLength(4);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(950);
  });
});
