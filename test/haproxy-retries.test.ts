import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { haproxySubject, stopAllHaproxy } from './haproxy-support.js';
import { send } from './proxy-support.js';

/**
 * The HAProxy data plane loses no more than the built-in proxy when an instance dies mid-request (test/
 * proxy-resilience.test.ts): a request with an idempotent method that an instance dropped without answering is
 * replayed on another server; a POST, which it may have processed, gets the 502.
 */
afterAll(stopAllHaproxy);

type Subject = Awaited<ReturnType<typeof haproxySubject>>;
let subject: Subject | undefined;
let crasher: http.Server | undefined;
afterEach(async () => {
  await subject?.dispose();
  subject = undefined;
  await new Promise((r) => (crasher ? crasher.close(r) : r(undefined)));
  crasher = undefined;
});

describe('HAProxy retries', () => {
  it('replays GET, PUT and DELETE an instance dropped without answering; a POST gets the 502', async () => {
    subject = await haproxySubject();
    let dropped = 0;
    // An instance killed while it handles the request: the connection closes before any response byte.
    crasher = http.createServer((req) => {
      dropped++;
      req.socket.destroy();
    });
    await new Promise<void>((r) => crasher!.listen(0, '127.0.0.1', r));
    const crasherAddress = `127.0.0.1:${(crasher.address() as AddressInfo).port}`;
    const listen = await subject.listen();
    await subject.router.apply({
      environment: 'staging',
      listen,
      routes: [
        {
          service: 'api',
          match: { pathPrefix: '/' },
          releases: [
            {
              release: '1.0.0',
              role: 'stable',
              weight: 1,
              upstreams: [{ id: 'crasher', address: crasherAddress }, subject.upstreams[0]],
            },
          ],
        },
      ],
    });
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const before = dropped;
      // Round robin: within a few requests the crasher is picked first.
      for (let i = 0; i < 10 && dropped === before; i++) {
        const r = await send(`http://${listen}/boom`, { method, ...(method === 'PUT' ? { body: 'x' } : {}) });
        expect({ method, status: r.status }).toEqual({ method, status: 200 });
      }
      expect(dropped, `${method} never reached the crasher`).toBeGreaterThan(before);
    }
    const before = dropped;
    const statuses: number[] = [];
    for (let i = 0; i < 10 && dropped === before; i++)
      statuses.push((await send(`http://${listen}/orders`, { method: 'POST', body: '{"quote":1}' })).status);
    expect(dropped).toBe(before + 1);
    expect(statuses.at(-1)).toBe(502);
  }, 60_000);
});
