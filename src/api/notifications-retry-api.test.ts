import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedToken, testApi } from '../../test/support/api-harness.js';
import { engineHarness, type Harness } from '../../test/support/engine-harness.js';
import { writeSlackChatDelivery } from '../../test/support/notify-fixtures.js';
import { slackSender } from '../notify/slack/index.js';
import { DeliveryWorker } from '../notify/worker.js';
import { silentLogger } from '../shared/logging.js';
import { listNotifyDeliveries, type NotifyDelivery } from '../store/repos/notify-deliveries.js';

/**
 * POST /api/v1/notifications/:id/retry: a delivery that failed for good is sent again once its cause is fixed; the
 * list says when the last attempt ended and how many attempts of how many were spent.
 */
let h: Harness;
let app: FastifyInstance;
let server: Server;
let worker: DeliveryWorker;
let deployer: string;
let viewer: string;
const answer = { status: 404 };
let received = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (answer.status === 200) received += 1;
      res.writeHead(answer.status).end(answer.status === 200 ? 'ok' : 'no_service');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  h = await engineHarness();
  deployer = await storedToken(h.db, 'deployer', [{ role: 'deployer', environments: ['staging'] }]);
  viewer = await storedToken(h.db, 'viewer', [{ role: 'viewer', environments: '*' }]);
  app = await testApi(h);
  expect(await writeSlackChatDelivery(h.db, h.events)).toBe(1);
  worker = new DeliveryWorker({
    db: h.db,
    senders: { slack: slackSender },
    secretsFor: async () => ({ SLACK_URL: url }),
    logger: silentLogger,
    pollMs: 50,
    configCacheMs: 0,
  });
  await worker.start();
}, 60_000);
afterAll(async () => {
  await worker?.close();
  await app?.close();
  await h?.close();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

async function delivery(state: string): Promise<NotifyDelivery> {
  const end = Date.now() + 10_000;
  for (;;) {
    const d = (await listNotifyDeliveries(h.db))[0];
    if (d?.state === state) return d;
    if (Date.now() > end) throw new Error(`the delivery is ${d?.state}, not ${state}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const retry = (id: number, token: string) =>
  app.inject({
    method: 'POST',
    url: `/api/v1/notifications/${id}/retry`,
    headers: { authorization: `Bearer ${token}` },
  });

describe('re-sending a failed delivery', () => {
  it('lists lastAttemptAt and attempts of maxAttempts; a deployer sends it again, a viewer may not', async () => {
    const before = Date.now();
    const failed = await delivery('failed');
    const list = await app.inject({
      url: '/api/v1/projects/harbor/notifications?state=failed',
      headers: { authorization: `Bearer ${viewer}` },
    });
    const [shown] = list.json().notifications;
    expect(shown).toMatchObject({ id: failed.id, state: 'failed', attempts: 1, maxAttempts: 3, lastStatus: 404 });
    expect(Date.parse(shown.lastAttemptAt)).toBeGreaterThanOrEqual(before - 5000);
    expect(Date.parse(shown.lastAttemptAt)).toBeLessThanOrEqual(Date.now());

    const refused = await retry(failed.id, viewer);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toMatch(/^deployer on staging required/);
    expect(await retry(999_999, deployer)).toMatchObject({ statusCode: 404 });

    answer.status = 200;
    const res = await retry(failed.id, deployer);
    expect(res.statusCode).toBe(200);
    expect(res.json().notification).toMatchObject({ id: failed.id, state: 'pending', attempts: 0, maxAttempts: 3 });
    const sent = await delivery('sent');
    expect(sent).toMatchObject({ id: failed.id, attempts: 1, lastStatus: 200 });
    expect(received).toBe(1);

    const again = await retry(failed.id, deployer);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toMatch(/is sent, not failed/);
    const audit = await h.db.query<{ actor: string; target: string; outcome: string; status: number }>(
      `select split_part(actor, ' ', 1) as actor, target, action, outcome, status, before, after from audit_log
        where action = 'notification.retry' and target = $1 order by seq`,
      [`id=${failed.id}`],
    );
    expect(audit.rows).toMatchObject([
      { actor: 'viewer', action: 'notification.retry', outcome: 'denied', status: 403 },
      {
        actor: 'deployer',
        action: 'notification.retry',
        outcome: 'allowed',
        status: 200,
        before: { state: 'failed', attempts: 1 },
        after: { state: 'pending' },
      },
      { actor: 'deployer', action: 'notification.retry', status: 409 },
    ]);
  });
});
