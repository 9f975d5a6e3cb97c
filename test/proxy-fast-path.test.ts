import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/shared/logging.js';
import { DataPlane } from '../src/traffic/proxy/data-plane.js';
import type { EnvironmentRoutes } from '../src/traffic/router.js';
import { freePort } from './proxy-support.js';

/**
 * The proxy's fast path (src/traffic/proxy/fast-connection.ts: raw sockets, no node:http per request) against the
 * node:http + undici path it replaces for common requests: the same bytes reach the upstream and the client for each
 * kind of response framing, and what the fast path does not serve is handed to node:http on the same connection.
 * Two in-process data planes, one with the fast path and one without, in front of one scripted upstream.
 */

/** An upstream speaking raw HTTP/1.1: answers by path, echoes what it received on /echo. */
async function scriptedUpstream(): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer((socket) => {
    let buf = Buffer.alloc(0);
    socket.on('error', () => {});
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        const body = buf.subarray(end + 4, end + 4 + length);
        buf = buf.subarray(end + 4 + length);
        answer(socket, head, body);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

function answer(socket: net.Socket, head: string, body: Buffer): void {
  const [method, target] = head.split(' ');
  const path = target!.split('?')[0];
  const bodyOf = (text: string) => (method === 'HEAD' ? '' : text);
  switch (path) {
    case '/echo': {
      // What the upstream received, with the per-request id made stable.
      const seen = `${head.replace(/x-request-id: [0-9a-f-]+/i, 'x-request-id: ID')}\n\n${body.toString('latin1')}`;
      socket.write(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${seen.length}\r\n\r\n${seen}`);
      return;
    }
    case '/chunked':
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Kind: chunked\r\n\r\n');
      if (method !== 'HEAD')
        setTimeout(() => socket.write('5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n'), 5);
      return;
    case '/close':
      socket.end(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${bodyOf('until the end')}`);
      return;
    case '/no-content':
      socket.write('HTTP/1.1 204 No Content\r\nX-Kind: empty\r\n\r\n');
      return;
    case '/not-modified':
      socket.write('HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\n\r\n');
      return;
    case '/continue':
      socket.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok');
      return;
    case '/slow':
      setTimeout(() => socket.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nslow'), 150);
      return;
    case '/hop':
      socket.write(
        'HTTP/1.1 200 Fine\r\nConnection: keep-alive, X-Private\r\nKeep-Alive: timeout=9\r\nX-Private: p\r\n' +
          'Date: Thu, 01 Jan 2026 00:00:00 GMT\r\nContent-Length: 3\r\n\r\nhop',
      );
      return;
    case '/big': {
      const big = Buffer.alloc(3 * 1024 * 1024, 'z');
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${big.length}\r\n\r\n`);
      socket.write(big);
      return;
    }
    case '/odd':
      // Header lines as servers write them besides `Name: value`: the client gets them as node:http writes them.
      socket.write(
        'HTTP/1.1 203 Odd Reason  Here\r\nX-Spaced:   padded value \t\r\nX-Tight:t\r\nX-Empty:\r\n' +
          'Set-Cookie: a=1\r\nset-cookie: b=2\r\nProxy-Thing: p\r\nTE: trailers\r\nTrailer: X\r\n' +
          'Connection: X-Named\r\nx-named: n\r\ncontent-LENGTH:  3 \r\nDATE: Thu, 01 Jan 2026 00:00:00 GMT\r\n\r\nodd',
      );
      return;
    case '/old':
      socket.write(`HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 3\r\n\r\nold`);
      return;
    case '/split':
      socket.write('HTTP/1.1 200 OK\r\nContent-');
      setTimeout(() => socket.write('Length: 10\r\n\r\n01234'), 20);
      setTimeout(() => socket.write('56789'), 40);
      return;
    default:
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${bodyOf('hello').length}\r\n\r\n${bodyOf('hello')}`);
  }
}

/** Send `parts` (with a pause between them) on one connection; resolve with everything read until it closes or
 * `done` says the answer is complete. */
function exchange(port: number, parts: (string | Buffer)[], done: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer; got ${JSON.stringify(text)}`));
    }, 10_000);
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(text);
    };
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (done(text)) finish();
    });
    socket.on('close', finish);
    socket.on('error', () => {});
    socket.on('connect', async () => {
      for (const [i, part] of parts.entries()) {
        if (i > 0) await new Promise((r) => setTimeout(r, 30));
        socket.write(part);
      }
    });
  });
}

/** Complete responses at the start of `text` (by Content-Length or chunked; a close-delimited one is complete when
 * the connection closes); enough for these tests. */
function responses(text: string, headRequests = 0): number {
  let count = 0;
  let rest = text;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) return count;
    const head = rest.slice(0, end);
    const status = Number(head.slice(9, 12));
    let next = end + 4;
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    const bodiless = count < headRequests || status === 204 || status === 304;
    if (!bodiless && /\r\ntransfer-encoding: chunked/i.test(head)) {
      const last = rest.indexOf('0\r\n\r\n', next);
      if (last < 0) return count;
      next = last + 5;
    } else if (!bodiless && length) next += Number(length[1]);
    // A body that ends when the connection closes.
    else if (!bodiless) return count;
    if (rest.length < next) return count;
    count++;
    rest = rest.slice(next);
  }
}

const normalise = (text: string) => text.replace(/\r\nDate: [^\r]+/g, '\r\nDate: D');

describe('the fast path', () => {
  let upstream: Awaited<ReturnType<typeof scriptedUpstream>>;
  const planes: DataPlane[] = [];
  let fast = 0;
  let slow = 0;
  let dead = 0;

  beforeAll(async () => {
    upstream = await scriptedUpstream();
    const table = (port: number): EnvironmentRoutes => ({
      environment: 'staging',
      listen: `127.0.0.1:${port}`,
      routes: [
        {
          service: 'web',
          match: { pathPrefix: '/' },
          sticky: true,
          releases: [
            {
              release: '1.0.0',
              role: 'stable',
              weight: 1,
              upstreams: [{ id: 'web-1', address: `127.0.0.1:${upstream.port}` }],
            },
          ],
        },
        {
          service: 'gone',
          match: { pathPrefix: '/gone' },
          releases: [
            {
              release: '2.0.0',
              role: 'stable',
              weight: 1,
              upstreams: [{ id: 'gone-1', address: `127.0.0.1:${dead}` }],
            },
          ],
        },
      ],
    });
    dead = await freePort();
    for (const fastPath of [true, false]) {
      const plane = new DataPlane({ logger: silentLogger, forward: { fastPath } });
      planes.push(plane);
      const port = await freePort();
      await plane.apply(table(port));
      if (fastPath) fast = port;
      else slow = port;
    }
  });
  afterAll(async () => {
    await Promise.all(planes.map((p) => p.close(0)));
    await upstream.close();
  });

  const get = (path: string, extra = '', version = '1.1', method = 'GET') =>
    `${method} ${path} HTTP/${version}\r\nHost: shop.test\r\n${extra}\r\n`;

  it('sends the upstream and the client the same bytes as the node:http path', async () => {
    const cases: { request: string; head?: boolean }[] = [
      { request: get('/plain?q=1', 'Cookie: slipway-release=1.0.0\r\nX-Forwarded-For: 10.0.0.9\r\n') },
      { request: get('/echo', 'Connection: keep-alive, X-Drop\r\nX-Drop: x\r\nProxy-Authorization: p\r\n') },
      { request: `POST /echo HTTP/1.1\r\nHost: shop.test\r\nContent-Length: 11\r\n\r\n{"quote":1}` },
      { request: 'POST /echo HTTP/1.1\r\nHost: shop.test\r\n\r\n' },
      { request: get('/echo', 'X-Request-Id: mine\r\nX-Slipway-Release: stable\r\n') },
      { request: get('/chunked') },
      { request: get('/chunked', '', '1.0') },
      { request: get('/close') },
      { request: get('/close', 'Connection: keep-alive\r\n', '1.0') },
      { request: get('/plain', '', '1.0') },
      { request: get('/plain', 'Connection: keep-alive\r\n', '1.0') },
      { request: get('/plain', 'Connection: close\r\n') },
      { request: get('/no-content') },
      { request: get('/not-modified') },
      { request: get('/hop') },
      { request: get('/split') },
      { request: get('/odd') },
      { request: get('/odd', '', '1.0') },
      { request: get('/old') },
      { request: get('/plain', '', '1.1', 'HEAD'), head: true },
      { request: get('/chunked', '', '1.1', 'HEAD'), head: true },
      { request: get('/gone/x') },
      { request: get('/gone/x', 'Accept: application/json\r\n') },
      { request: get('/gone/x', '', '1.1', 'HEAD'), head: true },
    ];
    for (const { request, head } of cases) {
      const done = (text: string) => responses(text, head ? 1 : 0) >= 1;
      const viaFast = await exchange(fast, [request], done);
      const viaNode = await exchange(slow, [request], done);
      expect(normalise(viaFast), request).toBe(normalise(viaNode));
      expect(viaFast).toMatch(/^HTTP\/1\.1 \d{3} /);
    }
  });

  it('skips an interim 100 Continue and forwards the final response', async () => {
    // (undici, on the node:http path, answers this one with a 502.)
    const text = await exchange(fast, [get('/continue')], (t) => responses(t) >= 1);
    expect(text).toMatch(/^HTTP\/1\.1 201 Created\r\nContent-Length: 2\r\n[\s\S]*\r\n\r\nok$/);
  });

  it('answers pipelined requests in order, each from its own upstream response', async () => {
    const text = await exchange(
      fast,
      [get('/slow?1') + get('/plain?2') + get('/no-content?3') + get('/echo?4')],
      (t) => responses(t) >= 4,
    );
    const bodies = text.split('HTTP/1.1 ').slice(1);
    expect(bodies).toHaveLength(4);
    expect(bodies[0]).toMatch(/^200 OK[\s\S]*\r\n\r\nslow$/);
    expect(bodies[1]).toMatch(/\r\n\r\nhello$/);
    expect(bodies[2]).toMatch(/^204 /);
    expect(bodies[3]).toContain('GET /echo?4 HTTP/1.1');
  });

  it('passes a large body to a slow client whole (the upstream waits while the client is behind)', async () => {
    const body = await new Promise<Buffer>((resolve, reject) => {
      const socket = net.connect(fast, '127.0.0.1', () => socket.write(get('/big')));
      const chunks: Buffer[] = [];
      socket.pause();
      setTimeout(() => socket.resume(), 300);
      socket.on('data', (d: Buffer) => {
        chunks.push(d);
        const all = Buffer.concat(chunks);
        const end = all.indexOf('\r\n\r\n');
        if (end >= 0 && all.length - end - 4 >= 3 * 1024 * 1024) {
          socket.destroy();
          resolve(all.subarray(end + 4));
        }
      });
      socket.on('error', reject);
    });
    expect(body.length).toBe(3 * 1024 * 1024);
    expect(body.every((b) => b === 122)).toBe(true);
  });

  it('reads a head and a body split across reads', async () => {
    const body = Buffer.alloc(100_000, 'b');
    const text = await exchange(
      fast,
      [
        'POST /echo HTTP/1.1\r\nHo',
        'st: shop.test\r\nContent-Le',
        `ngth: ${body.length}\r\n\r`,
        '\n',
        body.subarray(0, 30_000),
        body.subarray(30_000),
      ],
      (t) => responses(t) >= 1,
    );
    expect(text).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(text).toContain('\r\ncontent-length: 100000\n\n');
    expect(text.endsWith(`\n\n${body.toString('latin1')}`)).toBe(true);
  });

  it('hands the connection to node:http for a request it does not serve, in order', async () => {
    // A chunked request body (node:http's job), between two plain requests on one connection.
    const chunkedPost =
      'POST /echo HTTP/1.1\r\nHost: shop.test\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n';
    const text = await exchange(fast, [get('/plain?1') + chunkedPost, get('/echo?3')], (t) => responses(t) >= 3);
    const answers = text.split('HTTP/1.1 ').slice(1);
    expect(answers).toHaveLength(3);
    expect(answers[0]).toMatch(/\r\n\r\nhello$/);
    expect(answers[1]).toContain('POST /echo HTTP/1.1');
    expect(answers[1]).toMatch(/\n\nabc$/);
    expect(answers[2]).toContain('GET /echo?3 HTTP/1.1');
  });

  it('refuses a malformed head with 400 naming what is wrong, and an oversized one with 431', async () => {
    const bad = await exchange(fast, ['GET / HTTP/1.1\r\nHost: shop.test\r\nno colon here\r\n\r\n'], () => false);
    expect(bad).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(bad).toContain('X-Slipway-Proxy-Error: bad_request');
    expect(bad).toContain('Connection: close');
    expect(bad).toMatch(/slipway proxy: malformed header line \(no ":"\)\n$/);
    const line = await exchange(fast, ['GET /a b HTTP/1.1\r\nHost: shop.test\r\n\r\n'], () => false);
    expect(line).toMatch(/^HTTP\/1\.1 400 [\s\S]*slipway proxy: malformed request line/);
    const huge = await exchange(fast, [`GET / HTTP/1.1\r\nX-Big: ${'x'.repeat(20_000)}\r\n\r\n`], () => false);
    expect(huge).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(huge).toContain('slipway proxy: request head larger than 16384 bytes');
  });

  it('counts what it served in the per-release figures, proxy errors included', async () => {
    const before = planes[0]!.stats().environments.staging?.gone?.['2.0.0']?.requests.proxyError ?? 0;
    await exchange(fast, [get('/gone/y')], (t) => responses(t) >= 1);
    const after = planes[0]!.stats().environments.staging!.gone!['2.0.0']!;
    expect(after.requests.proxyError).toBe(before + 1);
    const web = planes[0]!.stats().environments.staging!.web!['1.0.0']!;
    expect(web.requests['2xx']).toBeGreaterThan(10);
  });
});
