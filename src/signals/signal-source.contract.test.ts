import net from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { HttpProbeSignalSource } from './http-probe/http-probe-source.js';
import { PrometheusSignalSource } from './prometheus/prometheus-source.js';
import { ErrorSignalSource } from './errors/error-source.js';
import { RumSignalSource } from './rum/rum-source.js';
import { ProxySignalSource } from './proxy/proxy-source.js';
import type { SignalQuery, SignalSource } from './signal-source.js';

/**
 * What every signal source promises (signal-source.ts), run against each adapter with a
 * backend that is not there: it never throws, answers an abort with phase error, stamps its
 * measurements with its name and the window, and closes idempotently.
 */
const query: SignalQuery = {
  project: 'harbor',
  service: 'quote-api',
  environment: 'production',
  stable: '1.0.0',
  candidate: '2.0.0',
  from: Date.now() - 30_000,
  to: Date.now(),
  baselineUntil: Date.now() - 60_000,
};
/** A loopback URL nothing listens on (a port bound, then released), so connections are refused. */
let nowhere = '';
beforeAll(async () => {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  nowhere = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  await new Promise((resolve) => server.close(resolve));
});

const adapters: { name: string; metrics: string[]; make: () => SignalSource }[] = [
  {
    name: 'proxy',
    metrics: ['requests'],
    make: () =>
      new ProxySignalSource({
        router: { samples: () => Promise.reject(new Error('the Slipway proxy is not reachable at 127.0.0.1:9')) },
        environment: 'harbor.production',
        service: 'quote-api',
      }),
  },
  {
    name: 'rum',
    metrics: ['rum'],
    make: () =>
      new RumSignalSource({
        router: { rum: () => Promise.reject(new Error('the Slipway proxy is not reachable at 127.0.0.1:9')) },
        environment: 'harbor.production',
        service: 'web',
      }),
  },
  {
    name: 'prometheus',
    metrics: ['error-rate', 'latency-p95'],
    make: () =>
      new PrometheusSignalSource({
        address: nowhere,
        metrics: [
          { name: 'error-rate', query: 'up{release="{release}"}' },
          { name: 'latency-p95', query: 'up' },
        ],
        timeoutMs: 2_000,
      }),
  },
  {
    name: 'errors',
    metrics: ['errors'],
    make: () =>
      new ErrorSignalSource({
        reader: { window: () => Promise.reject(new Error('the store is not reachable (connection refused)')) },
      }),
  },
  {
    name: 'http-probe',
    metrics: ['known-quote'],
    make: () =>
      new HttpProbeSignalSource({
        url: nowhere,
        probes: [{ name: 'known-quote', path: '/quotes/sample', expect: {} }],
        intervalMs: 50,
        timeoutMs: 2_000,
      }),
  },
];

describe.each(adapters)('signal source contract: $name', ({ name, metrics, make }) => {
  it('reports an unreachable backend as measurements, never by throwing', async () => {
    const source = make();
    try {
      expect(source.name).toBe(name);
      const ms = await source.measure(query);
      expect(ms.map((m) => m.metric)).toEqual(metrics);
      for (const m of ms) {
        expect(m).toMatchObject({ source: name, from: query.from, to: query.to });
        expect(['error', 'nodata']).toContain(m.phase);
        expect(m.phase !== 'ok' && m.message).toBeTruthy();
      }
    } finally {
      await source.close();
    }
  });

  it('answers an aborted signal with phase error', async () => {
    const source = make();
    try {
      const controller = new AbortController();
      controller.abort(new Error('the look took too long'));
      const ms = await source.measure(query, controller.signal);
      expect(ms.map((m) => m.metric)).toEqual(metrics);
      for (const m of ms)
        expect(m).toMatchObject({ phase: 'error', message: 'measurement aborted: the look took too long' });
    } finally {
      await source.close();
    }
  });

  it('closes idempotently, and a closed source still answers', async () => {
    const source = make();
    await source.measure(query);
    await source.close();
    await source.close();
    const ms = await source.measure(query);
    for (const m of ms) expect(m).toMatchObject({ phase: 'error', message: expect.stringContaining('closed') });
  });
});
