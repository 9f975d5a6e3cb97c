import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from './client.js';

describe('ApiClient and a leader election', () => {
  let server: http.Server | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  /** A coordinator that answers 503 + Retry-After `unavailable` times, then 200. */
  async function coordinator(unavailable: number, retryAfter = '1'): Promise<{ url: string; seen: () => number }> {
    let seen = 0;
    server = http.createServer((req, res) => {
      seen++;
      req.resume();
      if (seen <= unavailable) {
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': retryAfter });
        res.end(JSON.stringify({ error: { code: 'unavailable', message: 'no leader holds the lease right now' } }));
      } else {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true }));
      }
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, seen: () => seen };
  }

  it('sends a write again after Retry-After while no coordinator leads', async () => {
    const c = await coordinator(2);
    const started = Date.now();
    await expect(new ApiClient(c.url, 'token').call('POST', '/api/v1/x', { a: 1 })).resolves.toEqual({ ok: true });
    expect(c.seen()).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
  });

  it('gives up with the API message once the wait would pass its limit', async () => {
    const c = await coordinator(100);
    await expect(new ApiClient(c.url, 'token', 1500).call('POST', '/api/v1/x', {})).rejects.toThrow(
      /no leader holds the lease right now/,
    );
    expect(c.seen()).toBe(2);
  });

  it('does not retry a 503 that asks for a long wait (an hour)', async () => {
    const c = await coordinator(1, '3600');
    await expect(new ApiClient(c.url, 'token').call('GET', '/api/v1/x')).rejects.toThrow(/no leader/);
    expect(c.seen()).toBe(1);
  });
});

describe('ApiClient and an address with credentials', () => {
  it('names the coordinator it cannot reach without its user:password or query', async () => {
    // A port nothing listens on: taken, then let go.
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const error = await new ApiClient(`http://bob:S3CRETPW@127.0.0.1:${port}/?token=QTOKEN`, undefined)
      .call('GET', '/api/v1/x')
      .catch((e: Error) => e);
    expect((error as Error).message).toContain(`the coordinator is not running at http://***@127.0.0.1:${port}/?***`);
    expect((error as Error).message).not.toMatch(/S3CRETPW|QTOKEN|bob/);
  });
});
