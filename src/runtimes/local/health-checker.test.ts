import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../shared/clock.js';
import type { HealthCheck } from '../runtime.js';
import { probeHealth, runHealthChecks, type HealthVerdict } from './health-checker.js';
// Ports from below the ephemeral range, claimed for this test: a port merely found free could be bound meanwhile by
// another test file's client socket or server (seen with three files at a time).
import { reservePort } from '../../../test/support/test-ports.js';

describe('health checks', () => {
  let server: Server | undefined;
  let status = 200;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  async function serve(handler?: () => void, port = 0): Promise<number> {
    server = createServer((req, res) => {
      handler?.();
      if (req.url === '/slow') return setTimeout(() => res.end('late'), 2000).unref();
      res.writeHead(status).end();
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  it('probes: 2xx and 3xx pass; 5xx, refusal and timeouts fail with a reason', async () => {
    const port = await serve();
    status = 204;
    expect(await probeHealth(port, '/health', 1000)).toEqual({ ok: true, listening: true, detail: 'HTTP 204' });
    status = 302;
    expect((await probeHealth(port, '/health', 1000)).ok).toBe(true);
    status = 503;
    expect(await probeHealth(port, '/health', 1000)).toEqual({ ok: false, listening: true, detail: 'HTTP 503' });
    expect(await probeHealth(port, '/slow', 100)).toEqual({
      ok: false,
      listening: true,
      detail: 'no answer within 100ms',
    });
    const closed = await reservePort();
    expect(await probeHealth(closed, '/health', 1000)).toEqual({
      ok: false,
      listening: false,
      detail: `nothing listening on port ${closed}`,
    });
  });

  /**
   * Runs the checks against `port` until `stop()`; `verdicts` are those given so far. `onVerdict` and `onBooting`
   * see each call too.
   */
  function startChecks(
    port: number,
    check: HealthCheck,
    options: { adopted: boolean; onVerdict?: (v: HealthVerdict) => void; onBooting?: () => void },
  ) {
    const verdicts: HealthVerdict[] = [];
    const abort = new AbortController();
    const run = runHealthChecks({
      port,
      check,
      clock: systemClock,
      signal: abort.signal,
      adopted: options.adopted,
      onVerdict: (v) => {
        verdicts.push(v);
        options.onVerdict?.(v);
      },
      onBooting: () => options.onBooting?.(),
    });
    const stop = async () => {
      abort.abort();
      await run;
    };
    return { verdicts, stop };
  }

  it(
    'reports a verdict only after the consecutive thresholds, and ignores refusals before the first ' + 'answer',
    async () => {
      const port = await reservePort();
      const check: HealthCheck = {
        path: '/health',
        intervalMs: 20,
        timeoutMs: 1000,
        healthyThreshold: 3,
        unhealthyThreshold: 2,
      };
      const verdicts: { verdict: HealthVerdict; probes: number }[] = [];
      let probes = 0;
      let booting = 0;
      const checks = startChecks(port, check, {
        adopted: false,
        onVerdict: (verdict) => verdicts.push({ verdict, probes }),
        onBooting: () => booting++,
      });
      await until(() => booting >= 3); // refused while booting: no verdict
      expect(verdicts).toEqual([]);

      status = 200;
      await serve(() => probes++, port);
      await until(() => verdicts.length > 0);
      expect(verdicts[0]).toEqual({ verdict: 'healthy', probes: 3 });

      status = 500;
      const before = probes;
      await until(() => verdicts.some((v) => v.verdict === 'unhealthy'));
      expect(verdicts.find((v) => v.verdict === 'unhealthy')!.probes - before).toBe(2);
      await checks.stop();
    },
  );

  it('trusts one success from an adopted instance', async () => {
    status = 200;
    const port = await serve();
    const check: HealthCheck = {
      path: '/',
      intervalMs: 10_000,
      timeoutMs: 1000,
      healthyThreshold: 5,
      unhealthyThreshold: 5,
    };
    const checks = startChecks(port, check, { adopted: true });
    await until(() => checks.verdicts.length > 0);
    expect(checks.verdicts).toEqual(['healthy']);
    await checks.stop();
  });

  /** Checks every 20 ms until `probes` requests reached the server; the verdicts they gave. */
  async function checkUntil(port: number, probes: () => number, count: number): Promise<HealthVerdict[]> {
    const check: HealthCheck = {
      path: '/',
      intervalMs: 20,
      timeoutMs: 1000,
      healthyThreshold: 1,
      unhealthyThreshold: 1,
    };
    const checks = startChecks(port, check, { adopted: false });
    await until(() => probes() >= count);
    await checks.stop();
    return checks.verdicts;
  }

  it('keeps one connection to the instance for its probes, and closes it when the checks stop', async () => {
    let requests = 0;
    const port = await serve(() => requests++);
    const connections: import('node:net').Socket[] = [];
    server!.on('connection', (socket) => connections.push(socket));
    const verdicts = await checkUntil(port, () => requests, 6);
    expect(verdicts.every((v) => v === 'healthy')).toBe(true);
    expect(connections).toHaveLength(1);
    await until(() => connections[0]!.destroyed);
  });

  it('a kept connection the instance drops is retried once on a new one: no false failure', async () => {
    let requests = 0;
    // Every second request on a connection is cut without an answer, as an instance whose keep-alive timeout falls
    // on the probe does: the probe is repeated on a new connection, which answers.
    const port = await serve();
    server!.removeAllListeners('request');
    const served = new WeakMap<object, number>();
    server!.on('request', (req, res) => {
      requests++;
      const n = (served.get(req.socket) ?? 0) + 1;
      served.set(req.socket, n);
      if (n === 2) return req.socket.destroy();
      res.writeHead(200).end();
    });
    const verdicts = await checkUntil(port, () => requests, 9);
    expect(verdicts.length).toBeGreaterThan(0);
    expect(verdicts.every((v) => v === 'healthy')).toBe(true);
  });

  it('a new connection cut without an answer is a failure, not retried', async () => {
    const port = await serve();
    server!.removeAllListeners('request');
    server!.on('request', (req) => req.socket.destroy());
    expect(await probeHealth(port, '/health', 1000)).toMatchObject({ ok: false, listening: true });
  });
});

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
