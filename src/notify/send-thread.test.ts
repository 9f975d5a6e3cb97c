import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { NotificationMessage } from './message.js';
import { SendThread } from './send-thread.js';

// A Slack-like receiver on loopback: /ok answers 200, /hang never answers.
let server: Server;
let base = '';
const received: { key: string; text: string }[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      if (req.url === '/hang') return;
      received.push({ key: String(req.headers['idempotency-key']), text: (JSON.parse(body) as { text: string }).text });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const message: NotificationMessage = {
  trigger: 'on-deployment-started',
  severity: 'info',
  title: 'api 1.4.3 to production',
  body: '',
  facts: [],
  values: {},
  at: '2026-12-05T23:00:00.000Z',
};
const slack = (path: string) => ({ type: 'slack', url: `${base}${path}` });

it('sends from its own thread, started by the first send; Jira and GitHub senders stay on the caller', async () => {
  const thread = SendThread.create();
  try {
    expect(thread.running).toBe(false);
    expect([
      thread.handles('slack'),
      thread.handles('webhook'),
      thread.handles('jira'),
      thread.handles('github'),
    ]).toEqual([true, true, false, false]);
    const never = new AbortController().signal;
    const outcome = await thread.send('slack', { message, key: 'k-1', service: slack('/ok'), timeoutMs: 2000 }, never);
    expect(outcome).toEqual({ kind: 'sent', status: 200 });
    expect(thread.running).toBe(true);
    expect(received.at(-1)).toEqual({ key: 'k-1', text: 'api 1.4.3 to production' });
  } finally {
    await thread.close();
  }
});

it('an attempt ends at its timeout, or at once when the coordinator stops', async () => {
  const thread = SendThread.create();
  try {
    const never = new AbortController().signal;
    const timedOut = await thread.send(
      'slack',
      { message, key: 'k-2', service: slack('/hang'), timeoutMs: 200 },
      never,
    );
    expect(timedOut).toEqual({ kind: 'retry', error: 'no answer: timed out' });
    const stopping = new AbortController();
    const started = Date.now();
    const sending = thread.send(
      'slack',
      { message, key: 'k-3', service: slack('/hang'), timeoutMs: 60_000 },
      stopping.signal,
    );
    setTimeout(() => stopping.abort(), 100);
    expect(await sending).toMatchObject({ kind: 'retry' });
    expect(Date.now() - started).toBeLessThan(30_000);
  } finally {
    await thread.close();
  }
});

it('a thread that is gone: what it had in flight is retried, and it takes no more sends', async () => {
  const thread = SendThread.create();
  const never = new AbortController().signal;
  const inFlight = thread.send('slack', { message, key: 'k-4', service: slack('/hang'), timeoutMs: 60_000 }, never);
  await thread.close();
  expect(await inFlight).toEqual({ kind: 'retry', error: 'the coordinator is stopping' });
  expect(thread.handles('slack')).toBe(false);
});

it('a thread never used is closed without ever starting', async () => {
  const thread = SendThread.create();
  await thread.close();
  expect(thread.running).toBe(false);
  expect(
    await thread.send(
      'slack',
      { message, key: 'k-5', service: slack('/ok'), timeoutMs: 2000 },
      new AbortController().signal,
    ),
  ).toEqual({
    kind: 'retry',
    error: 'the coordinator is stopping',
  });
  expect(thread.running).toBe(false);
});

it('hands the answers that came together to their attempts one a turn of the event loop', async () => {
  const thread = SendThread.create();
  let turn = 0;
  let counting = true;
  const count = () => {
    turn++;
    if (counting) setImmediate(count);
  };
  count();
  try {
    const never = new AbortController().signal;
    const endedAt: number[] = [];
    const keys = Array.from({ length: 8 }, (_, i) => `together-${i}`);
    const sends = keys.map((key) =>
      thread.send('slack', { message, key, service: slack('/ok'), timeoutMs: 10_000 }, never).then((outcome) => {
        endedAt.push(turn);
        return outcome;
      }),
    );
    while (keys.some((k) => !received.some((r) => r.key === k))) await new Promise((r) => setTimeout(r, 5));
    // Every receiver has answered: hold this thread while the send thread's answers come in, so that they wait
    // together to be read.
    const until = Date.now() + 500;
    while (Date.now() < until) {
      // busy: the answers queue up meanwhile
    }
    expect(await Promise.all(sends)).toEqual(keys.map(() => ({ kind: 'sent', status: 200 })));
    expect(new Set(endedAt).size).toBe(keys.length);
  } finally {
    counting = false;
    await thread.close();
  }
});
