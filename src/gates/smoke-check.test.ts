import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSmokeCheck, type SmokeCheckSpec } from './smoke-check.js';

let server: Server;
let base: string;
const seenHosts: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seenHosts.push(req.headers.host ?? '');
    if (req.url === '/version')
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ release: '1.1.0' }));
    if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2000);
    res.writeHead(503).end('warming up');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const check = (
  path: string,
  expect: SmokeCheckSpec['expect'],
  extra: Partial<SmokeCheckSpec> = {},
): SmokeCheckSpec => ({
  name: 'version',
  url: `${base}${path}`,
  method: 'GET',
  expect,
  timeoutMs: 1000,
  ...extra,
});

describe('runSmokeCheck', () => {
  it('passes when status and body match', async () => {
    const r = await runSmokeCheck(check('/version', { status: 200, bodyContains: '"release":"1.1.0"' }));
    expect(r).toMatchObject({ name: 'version', kind: 'smoke', outcome: 'pass', outputTail: '{"release":"1.1.0"}' });
    expect(r.detail).toMatchObject({ status: 200 });
  });

  it('fails on a status mismatch', async () => {
    const r = await runSmokeCheck(check('/health', { status: 200 }));
    expect(r.outcome).toBe('fail');
    expect(r.message).toBe(`smoke check "version" failed: GET ${base}/health: status 503, expected 200`);
    expect(r.outputTail).toBe('warming up');
  });

  it('fails when the body does not contain the text', async () => {
    const r = await runSmokeCheck(check('/version', { status: 200, bodyContains: '"release":"1.0.0"' }));
    expect(r.message).toBe(
      `smoke check "version" failed: GET ${base}/version: the body does not contain "\\"release\\":\\"1.0.0\\""`,
    );
  });

  it('fails on a timeout and on an unreachable address', async () => {
    const slow = await runSmokeCheck(check('/slow', { status: 200 }, { timeoutMs: 200 }));
    expect(slow).toMatchObject({
      outcome: 'fail',
      message: `smoke check "version" failed: GET ${base}/slow: no answer within 200ms`,
    });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const down = await runSmokeCheck(check('/version', { status: 200 }, { url: `http://127.0.0.1:${port}/version` }));
    expect(down.message).toBe(`smoke check "version" failed: GET http://127.0.0.1:${port}/version: ECONNREFUSED`);
  });

  it('sends the route host as the Host header', async () => {
    await runSmokeCheck(check('/version', { status: 200 }, { hostHeader: 'quotes.local' }));
    expect(seenHosts.at(-1)).toBe('quotes.local');
  });
});
