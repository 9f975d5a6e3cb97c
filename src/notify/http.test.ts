import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { nextAttemptDelay } from './backoff.js';
import { postJson, retryAfterMs } from './http.js';

// A receiver on loopback: /moved answers a redirect to /ok, /ok 200, /busy 503, /slow never answers.
let server: Server;
let base = '';
const seen: { path: string; key: string | undefined; body: string; authorization?: string }[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      const authorization = req.headers.authorization;
      seen.push({
        path: req.url ?? '',
        key: req.headers['idempotency-key'] as string | undefined,
        body,
        ...(authorization ? { authorization } : {}),
      });
      if (req.url === '/moved') res.writeHead(302, { location: '/ok' }).end();
      else if (req.url === '/ok') res.end('ok');
      else if (req.url === '/busy') res.writeHead(503).end('x'.repeat(5000));
      // /slow: no answer
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const signal = () => AbortSignal.timeout(2000);

it('posts JSON with the idempotency key; 2xx is sent', async () => {
  expect(await postJson(`${base}/ok`, { a: 1 }, 'key-1', signal())).toEqual({ kind: 'sent', status: 200 });
  expect(seen.at(-1)).toEqual({ path: '/ok', key: 'key-1', body: '{"a":1}' });
});

it('does not follow a redirect: the 3xx is the answer, failed for good', async () => {
  const before = seen.length;
  const outcome = await postJson(`${base}/moved`, {}, 'key-2', signal());
  expect(outcome).toMatchObject({ kind: 'failed', status: 302 });
  expect(seen.slice(before).map((s) => s.path)).toEqual(['/moved']);
});

it('a 5xx is retried, with the start of what the receiver said', async () => {
  const outcome = await postJson(`${base}/busy`, {}, 'key-3', signal());
  expect(outcome).toMatchObject({ kind: 'retry', status: 503 });
  expect(outcome.kind === 'retry' && outcome.error?.length).toBeLessThan(320);
});

it('no answer within the deadline is retried as timed out; a refused connection as no answer', async () => {
  expect(await postJson(`${base}/slow`, {}, 'key-4', AbortSignal.timeout(200))).toEqual({
    kind: 'retry',
    error: 'no answer: timed out',
  });
  const refused = await postJson('http://127.0.0.1:1/', {}, 'key-5', signal());
  expect(refused).toMatchObject({ kind: 'retry' });
  expect(refused.kind === 'retry' && refused.error).toMatch(/^no answer: /);
});

it('reads Retry-After as seconds or an HTTP date; the wait it asks for is capped by retry.maxBackoff', async () => {
  const now = Date.parse('2026-12-07T12:00:00Z');
  expect(retryAfterMs('120', now)).toBe(120_000);
  expect(retryAfterMs('Mon, 07 Dec 2026 12:00:30 GMT', now)).toBe(30_000);
  expect(retryAfterMs('Mon, 07 Dec 2026 11:00:00 GMT', now)).toBe(0);
  expect([retryAfterMs(undefined, now), retryAfterMs('soon', now)]).toEqual([undefined, undefined]);
  const retry = { backoffMs: 1000, maxBackoffMs: 60_000 };
  expect(nextAttemptDelay(1, retry, 30_000, () => 0.5)).toBe(30_000);
  expect(nextAttemptDelay(1, retry, 3_600_000, () => 0.5)).toBe(60_000);
  // The backoff when it is later than what the receiver asked for.
  expect(nextAttemptDelay(5, retry, 100, () => 0.5)).toBe(16_000);
});

it('sends the credentials written in the URL as Basic authorization, and the URL without them', async () => {
  const url = `${base.replace('http://', 'http://hook%40user:p%40ss@')}/ok`;
  expect(await postJson(url, {}, 'key-auth', signal())).toEqual({ kind: 'sent', status: 200 });
  expect(seen.at(-1)).toMatchObject({
    path: '/ok',
    authorization: `Basic ${Buffer.from('hook@user:p@ss').toString('base64')}`,
  });
});
