import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  freePort,
  oneRoute,
  releaseSet,
  send,
  startProxy,
  startUpstream,
  waitFor,
  type InProcessProxy,
  type TestUpstream,
} from './proxy-support.js';

describe('proxy failure handling', () => {
  let proxy: InProcessProxy | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
    await Promise.all(cleanups.splice(0).map((c) => c()));
  });

  async function upstream(name: string, handler?: Parameters<typeof startUpstream>[1]): Promise<TestUpstream> {
    const u = await startUpstream(name, handler);
    cleanups.push(() => u.close());
    return u;
  }

  /** An address that refuses connections. */
  async function deadUpstream(name: string): Promise<TestUpstream> {
    const port = await freePort();
    return { name, port, address: `127.0.0.1:${port}`, requests: 0, close: async () => {} };
  }

  async function serve(
    releases: Parameters<typeof oneRoute>[2],
    forward?: Parameters<typeof startProxy>[0],
  ): Promise<string> {
    proxy = await startProxy(forward);
    const port = await freePort();
    await proxy.router.apply(oneRoute('staging', port, releases));
    return `http://127.0.0.1:${port}`;
  }

  it('answers 503 naming the service when no instance is available', async () => {
    const base = await serve([releaseSet('1.0.0', 'stable', 1, [])]);
    const r = await send(`${base}/`);
    expect(r.status).toBe(503);
    expect(r.text).toBe('slipway proxy: no healthy instance of service "quote-api" in environment "staging"\n');
    const json = await send(`${base}/`, { headers: { Accept: 'application/json' } });
    expect(json.json()).toEqual({
      error: { code: 'no_upstream', message: 'no healthy instance of service "quote-api" in environment "staging"' },
    });
    const stats = await proxy!.router.stats();
    expect(stats.environments.staging!['quote-api']!['1.0.0']!.requests.proxyError).toBe(2);
  });

  it('answers 502 naming the instance, address and release when the upstream fails a POST', async () => {
    const crasher = await upstream('crasher', (req) => req.socket.destroy());
    const bystander = await upstream('bystander');
    const base = await serve([releaseSet('1.0.0', 'stable', 1, [crasher, bystander])]);
    const r = await send(`${base}/boom`, { method: 'POST', body: '{"quote":1}' });
    expect(r.status).toBe(502);
    expect(r.text).toBe(
      `slipway proxy: instance crasher at ${crasher.address} (release 1.0.0) of service "quote-api" in environment ` +
        `"staging" failed: connection closed before a complete response\n`,
    );
    // It may have processed the POST (the socket was fresh), so it must not be replayed elsewhere.
    expect(crasher.requests).toBe(1);
    expect(bystander.requests).toBe(0);
  });

  it('an idempotent request the upstream dropped without answering goes to another instance', async () => {
    // An instance killed mid-request: GET, PUT and DELETE mean the same when repeated (RFC 9110), so they are replayed.
    const crasher = await upstream('crasher', (req) => req.socket.destroy());
    const bystander = await upstream('bystander');
    const base = await serve([releaseSet('1.0.0', 'stable', 1, [crasher, bystander])]);
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const before = crasher.requests;
      // Until the crasher is picked first, the request says nothing about replaying.
      for (let i = 0; i < 20 && crasher.requests === before; i++) {
        const r = await send(`${base}/boom`, { method, ...(method === 'PUT' ? { body: 'x' } : {}) });
        expect({ method, status: r.status }).toEqual({ method, status: 200 });
      }
      expect(crasher.requests).toBeGreaterThan(before);
    }
    // With every instance dropping it, the client gets the 502 after the retries.
    const alone = await upstream('alone', (req) => req.socket.destroy());
    await proxy!.router.apply(
      oneRoute('staging', Number(new URL(base).port), [releaseSet('1.0.0', 'stable', 1, [alone])]),
    );
    const r = await send(`${base}/boom`);
    expect(r.status).toBe(502);
    expect(r.text).toContain('instance alone');
  });

  it('retries connect failures on another instance: no failed request, POST bodies included', async () => {
    const live = await upstream('live');
    const dead = await deadUpstream('dead');
    const candidateDead = await deadUpstream('candidate-dead');
    const base = await serve([
      releaseSet('1.0.0', 'stable', 50, [dead, live]),
      releaseSet('1.1.0', 'candidate', 50, [candidateDead]),
    ]);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 6 });
    try {
      for (let batch = 0; batch < 10; batch++) {
        const replies = await Promise.all(
          Array.from({ length: 6 }, async (_, i) => {
            const body = i % 2 === 0 ? undefined : Buffer.from(`order ${batch}-${i} `.repeat(200 * i));
            const r = await send(`${base}/orders`, { method: body ? 'POST' : 'GET', body, agent });
            return { r, body };
          }),
        );
        for (const { r, body } of replies) {
          expect(r.status, r.text).toBe(200);
          expect(r.json()).toMatchObject({
            upstream: 'live',
            bodyLength: body?.length ?? 0,
            bodySha: createHash('sha256')
              .update(body ?? '')
              .digest('hex'),
          });
        }
      }
    } finally {
      agent.destroy();
    }
    expect(live.requests).toBe(60);
  });

  /** Serves the first request of each connection, then resets the connection on the next one. */
  async function resettingUpstream(name: string): Promise<TestUpstream & { resets: () => number }> {
    let resets = 0;
    const server = net.createServer((socket) => {
      let seen = 0;
      let buffer = '';
      socket.on('error', () => {});
      socket.on('data', (d) => {
        buffer += d.toString('latin1');
        while (buffer.includes('\r\n\r\n')) {
          buffer = buffer.slice(buffer.indexOf('\r\n\r\n') + 4);
          if (++seen === 1) {
            const body = JSON.stringify({ upstream: name });
            socket.write(
              `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n` +
                `Connection: keep-alive\r\n\r\n${body}`,
            );
          } else {
            resets++;
            socket.resetAndDestroy();
            return;
          }
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => server.close(() => r())));
    const address = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    return { name, address, port: 0, requests: 0, close: async () => {}, resets: () => resets };
  }

  it('retries a request whose reused keep-alive socket was reset before any response byte', async () => {
    const flaky = await resettingUpstream('flaky');
    const good = await upstream('good');
    const base = await serve([releaseSet('1.0.0', 'stable', 1, [flaky, good])]);
    const seen: string[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await send(`${base}/`);
      expect(r.status, r.text).toBe(200);
      seen.push(r.json().upstream);
    }
    expect(flaky.resets()).toBeGreaterThan(0);
    expect(seen).toContain('flaky');
    expect(seen).toContain('good');
  });

  it('a request aimed at the candidate stays with it when its reused socket was reset', async () => {
    // A probe at a single candidate instance must not be answered by stable because of a stale socket.
    const candidate = await resettingUpstream('candidate');
    const stable = await upstream('stable');
    const base = await serve([
      releaseSet('1.0.0', 'stable', 100, [stable]),
      releaseSet('1.1.0', 'candidate', 0, [candidate]),
    ]);
    for (let i = 0; i < 4; i++) {
      const r = await send(`${base}/`, { headers: { 'x-slipway-release': 'candidate' } });
      expect(r.status, r.text).toBe(200);
      expect(r.json().upstream).toBe('candidate');
    }
    expect(candidate.resets()).toBeGreaterThan(0);
    expect(stable.requests).toBe(0);
  });

  it('never retries once response bytes arrived', async () => {
    const halfway = await upstream('halfway', (_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const other = await upstream('other');
    const base = await serve([releaseSet('1.0.0', 'stable', 1, [halfway, other])]);
    await expect(send(`${base}/`)).rejects.toThrow();
    expect(halfway.requests).toBe(1);
    expect(other.requests).toBe(0);
  });

  it('answers 504 when the upstream does not answer in time', async () => {
    const silent = await upstream('silent', () => {});
    const base = await serve([releaseSet('1.0.0', 'stable', 1, [silent])], { forward: { responseTimeoutMs: 300 } });
    const r = await send(`${base}/slow`);
    expect(r.status).toBe(504);
    expect(r.text).toMatch(
      new RegExp(
        String.raw`instance silent at .* \(release 1\.0\.0\) of service "quote-api" in environment "staging" did` +
          ' not answer within 300ms',
      ),
    );
    await waitFor(async () => (await proxy!.router.upstreams())[0]!.inFlight === 0, 'in-flight back to 0');
  });

  it('aborts the upstream request when the client goes away', async () => {
    let upstreamSawClose = false;
    const hanging = await upstream('hanging', (_req, res) => {
      res.on('close', () => (upstreamSawClose = true));
    });
    const base = await serve([releaseSet('1.0.0', 'stable', 1, [hanging])]);
    const req = http.get(`${base}/wait`, { agent: false });
    req.on('error', () => {});
    await waitFor(() => hanging.requests === 1, 'the request to reach the upstream');
    req.destroy();
    await waitFor(() => upstreamSawClose, 'the upstream request to be aborted');
    await waitFor(async () => (await proxy!.router.upstreams())[0]!.inFlight === 0, 'in-flight back to 0');
  });

  it('drains an upstream removed from the table: its in-flight request completes, then it is forgotten', async () => {
    const slow = await upstream('slow', (_req, res) => setTimeout(() => res.end('slow done'), 2_000));
    const fresh = await upstream('fresh');
    proxy = await startProxy();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    await proxy.router.apply(oneRoute('staging', port, [releaseSet('1.0.0', 'stable', 1, [slow])]));
    const inFlight = send(`${base}/long`);
    await waitFor(
      async () => (await proxy!.router.upstreams()).find((u) => u.id === 'slow')?.inFlight === 1,
      'the slow request in flight',
    );

    await proxy.router.apply(oneRoute('staging', port, [releaseSet('1.1.0', 'stable', 1, [fresh])]));
    const during = await proxy.router.upstreams();
    expect(during.find((u) => u.id === 'slow')).toMatchObject({ state: 'draining', inFlight: 1, release: '1.0.0' });
    expect(during.find((u) => u.id === 'fresh')).toMatchObject({ state: 'active', inFlight: 0 });
    expect((await send(`${base}/new`)).json().upstream).toBe('fresh');

    const done = await inFlight;
    expect(done.status).toBe(200);
    expect(done.text).toBe('slow done');
    await waitFor(
      async () => !(await proxy!.router.upstreams()).some((u) => u.id === 'slow'),
      'the drained upstream to be forgotten',
    );
    expect(slow.requests).toBe(1);
  });
});
