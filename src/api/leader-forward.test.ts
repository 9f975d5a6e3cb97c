import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forwardedHeader, forwardWritesToLeader, type LeaderView } from './leader-forward.js';

/** A follower's API in front of a stand-in leader (a plain HTTP server that echoes what reached it). */
let leader: http.Server;
let leaderUrl: string;
let follower: FastifyInstance;
let target: string | undefined;
const view: LeaderView = {
  isLeader: () => false,
  leaderUrl: () => target,
  describe: () => ({ role: 'follower', holder: 'follower-1' }),
};

beforeAll(async () => {
  leader = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          method: req.method,
          url: req.url,
          body,
          auth: req.headers.authorization,
          by: req.headers[forwardedHeader],
        }),
      );
    });
  });
  await new Promise<void>((r) => leader.listen(0, '127.0.0.1', r));
  leaderUrl = `http://127.0.0.1:${(leader.address() as AddressInfo).port}`;
  follower = Fastify();
  follower.addHook(
    'onRequest',
    forwardWritesToLeader(view, () => 'http://127.0.0.1:1'),
  );
  follower.get('/api/v1/things', async () => ({ served: 'locally' }));
  follower.post('/api/v1/things', async () => ({ served: 'locally' }));
  await follower.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await follower?.close();
  await new Promise((r) => leader?.close(r));
});

const call = async (method: string, headers: Record<string, string> = {}, body?: string) => {
  const res = await fetch(`http://127.0.0.1:${(follower.server.address() as AddressInfo).port}/api/v1/things?x=1`, {
    method,
    headers,
    ...(body ? { body } : {}),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, any> };
};

describe('a follower forwards writes to the leader', () => {
  it('serves reads itself and forwards a write as it came, body and credentials included', async () => {
    target = leaderUrl;
    expect((await call('GET')).json).toEqual({ served: 'locally' });
    const res = await call('POST', { authorization: 'Bearer abc', 'content-type': 'application/json' }, '{"a":1}');
    expect(res.status).toBe(201);
    expect(res.headers.get('x-slipway-leader')).toBe(leaderUrl);
    expect(res.json).toEqual({
      method: 'POST',
      url: '/api/v1/things?x=1',
      body: '{"a":1}',
      auth: 'Bearer abc',
      by: 'http://127.0.0.1:1',
    });
  });

  it('no leader, a leader that does not answer, or a request already forwarded: 503 with Retry-After', async () => {
    target = undefined;
    const none = await call('POST', { 'content-type': 'application/json' }, '{}');
    expect([none.status, none.headers.get('retry-after')]).toEqual([503, '1']);
    expect(none.json.error.message).toMatch(/follower and no leader holds the lease/);

    target = 'http://127.0.0.1:1'; // nothing listens on port 1
    const gone = await call('DELETE');
    expect([gone.status, gone.headers.get('retry-after')]).toEqual([503, '1']);
    expect(gone.json.error.message).toMatch(/the leader at http:\/\/127\.0\.0\.1:1 did not answer/);

    target = leaderUrl;
    const loop = await call('POST', { [forwardedHeader]: 'elsewhere', 'content-type': 'application/json' }, '{}');
    expect(loop.status).toBe(503);
  });
});
