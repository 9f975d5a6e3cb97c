import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/shared/logging.js';
import { DataPlane } from '../src/traffic/proxy/data-plane.js';
import { freePort } from './proxy-support.js';

/**
 * The fast path's upstream timeouts (raw-upstream.ts): the response timeout runs from the request sent to the head
 * received; the body idle timeout from the last progress (the head, then each read of the body), so a slow but steady
 * body is never cut.
 */

const timeoutMs = 500;
const step = 150;
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An upstream whose answers are scripted per path, with pauses. */
async function slowUpstream(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', async (data) => {
      const path = data.toString('latin1').split(' ')[1];
      const head = 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n';
      try {
        if (path === '/no-head') return;
        if (path === '/stalled-body') socket.write(`${head}01234`);
        if (path === '/steady-body') {
          socket.write(head);
          for (const part of ['01', '23', '45', '67', '89']) {
            await wait(step);
            socket.write(part);
          }
        }
        if (path === '/late-head') {
          // Each pause is shorter than the timeouts; together they are longer.
          await wait(step * 2);
          socket.write(head);
          await wait(step * 2);
          socket.write('0123456789');
        }
      } catch {
        // The proxy cut the connection.
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => r());
      }),
  };
}

/** Send a GET and read until the proxy closes the connection or `done` says the answer is complete. */
function fetchRaw(port: number, path: string, done: (text: string) => boolean): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const socket = net.connect(port, '127.0.0.1', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: t\r\n\r\n`));
    socket.on('data', (d) => {
      text += d.toString('latin1');
      if (done(text)) socket.destroy();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(text));
  });
}

describe('fast path upstream timeouts', () => {
  let upstream: Awaited<ReturnType<typeof slowUpstream>>;
  let plane: DataPlane;
  let port = 0;

  beforeAll(async () => {
    upstream = await slowUpstream();
    plane = new DataPlane({
      logger: silentLogger,
      forward: { responseTimeoutMs: timeoutMs, bodyIdleTimeoutMs: timeoutMs },
    });
    port = await freePort();
    await plane.apply({
      environment: 'staging',
      listen: `127.0.0.1:${port}`,
      routes: [
        {
          service: 'web',
          match: { pathPrefix: '/' },
          releases: [
            {
              release: '1.0.0',
              role: 'stable',
              weight: 1,
              upstreams: [{ id: 'web-1', address: `127.0.0.1:${upstream.port}` }],
            },
          ],
        },
      ],
    });
  });
  afterAll(async () => {
    await plane.close(0);
    await upstream.close();
  });

  const complete = (text: string) => text.endsWith('\r\n\r\n0123456789') || / 50\d /.test(text);

  it('answers 504 when no head comes within the response timeout', async () => {
    const text = await fetchRaw(port, '/no-head', (t) => t.includes('\r\n\r\n') && / 504 /.test(t));
    expect(text).toMatch(/^HTTP\/1\.1 504 /);
  });

  it('cuts a body that stalls for longer than the body idle timeout', async () => {
    const text = await fetchRaw(port, '/stalled-body', complete);
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(text.endsWith('01234')).toBe(true);
  });

  it('passes a slow but steady body whole, and times the body from the head, not from the request', async () => {
    expect(await fetchRaw(port, '/steady-body', complete)).toMatch(/^HTTP\/1\.1 200 [\s\S]*\r\n\r\n0123456789$/);
    expect(await fetchRaw(port, '/late-head', complete)).toMatch(/^HTTP\/1\.1 200 [\s\S]*\r\n\r\n0123456789$/);
  });
});
