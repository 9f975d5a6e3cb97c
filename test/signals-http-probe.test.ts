import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { premiumFor } from '../examples/harbor-quote/premium.js';
import { HttpProbeSignalSource, type HttpProbe } from '../src/signals/index.js';
import type { Measurement, SignalQuery } from '../src/signals/signal-source.js';
import { ProxyRouter } from '../src/traffic/proxy/proxy-router.js';
import type { EnvironmentRoutes } from '../src/traffic/router.js';
import { freePort, removeDir, spawnProxy, tempDir, waitFor, type ProxyProcess } from './proxy-support.js';
import { startHarborQuote, type HarborQuote } from './signals-support.js';

type Quote = Parameters<typeof premiumFor>[0];
const knownQuote: Quote = { tonnage: 42_000, vesselClass: 'tanker', routeRisk: 3 };
const largeVessel: Quote = { tonnage: 80_000, vesselClass: 'bulk', routeRisk: 2 };
const v1 = (quote: Quote): number => premiumFor(quote, 'v1');
const v2 = (quote: Quote): number => premiumFor(quote, 'v2');

const probes: HttpProbe[] = [
  {
    name: 'known-quote',
    method: 'POST',
    path: '/quotes',
    body: knownQuote,
    expect: { status: 200, json: { premium: 102668.99, currency: 'USD' }, release: true },
  },
  {
    name: 'large-vessel',
    method: 'POST',
    path: '/quotes',
    body: largeVessel,
    expect: { json: { premium: v1(largeVessel) }, release: true },
  },
];

describe('HttpProbeSignalSource through a real proxy to harbor-quote', () => {
  let proxyProcess: ProxyProcess | undefined;
  let stateDir: string | undefined;
  let router: ProxyRouter | undefined;
  let stable: HarborQuote | undefined;
  let port = 0;
  const perTest: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    stateDir = await tempDir();
    const admin = `127.0.0.1:${await freePort()}`;
    proxyProcess = spawnProxy(['--admin', admin, '--state-dir', stateDir]);
    await waitFor(() => readFile(path.join(stateDir!, 'admin-token')).then(() => true), 'the admin token file', 30_000);
    router = new ProxyRouter({ admin, token: (await readFile(path.join(stateDir, 'admin-token'), 'utf8')).trim() });
    await waitFor(() => router!.healthy(), 'the proxy to be healthy', 30_000);
    stable = await startHarborQuote('1.0.0');
    port = await freePort();
  }, 60_000);

  afterEach(async () => {
    for (const c of perTest.splice(0).reverse()) await c();
  });

  afterAll(async () => {
    await router?.close();
    await proxyProcess?.kill();
    await stable?.stop();
    await removeDir(stateDir);
  });

  /** Route the environment: all weighted traffic to the stable release, the candidate at weight 0. */
  async function route(candidate: HarborQuote | undefined): Promise<void> {
    const routes: EnvironmentRoutes = {
      environment: 'harbor.production',
      listen: `127.0.0.1:${port}`,
      routes: [
        {
          service: 'quote-api',
          match: { pathPrefix: '/' },
          releases: [
            {
              release: '1.0.0',
              role: 'stable',
              weight: 100,
              upstreams: [{ id: 'stable-1', address: stable!.address }],
            },
            {
              release: '2.0.0',
              role: 'candidate',
              weight: 0,
              upstreams: candidate ? [{ id: 'candidate-1', address: candidate.address }] : [],
            },
          ],
        },
      ],
    };
    await router!.apply(routes);
  }

  async function candidate(env: Record<string, string> = {}): Promise<HarborQuote> {
    const c = await startHarborQuote('2.0.0', env);
    perTest.push(() => c.stop());
    return c;
  }

  function source(url = `http://127.0.0.1:${port}`): HttpProbeSignalSource {
    const s = new HttpProbeSignalSource({ url, probes, intervalMs: 200, timeoutMs: 10_000 });
    perTest.push(() => s.close());
    return s;
  }

  const startedAt = Date.now();
  const query = (): SignalQuery => ({
    project: 'harbor',
    service: 'quote-api',
    environment: 'production',
    stable: '1.0.0',
    candidate: '2.0.0',
    from: startedAt,
    to: Date.now() + 1,
    baselineUntil: startedAt,
  });

  /** Measure until every probe has at least `n` checks in the window. */
  async function measureUntil(s: HttpProbeSignalSource, n: number): Promise<Record<string, Measurement>> {
    let last: Measurement[] = [];
    await waitFor(
      async () => {
        last = await s.measure(query());
        return last.every(
          (m) => m.phase === 'ok' && m.kind === 'checks' && m.candidate.passed + m.candidate.failed >= n,
        );
      },
      `${n} checks per probe`,
      30_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}; last: ${JSON.stringify(last)}`);
    });
    return Object.fromEntries(last.map((m) => [m.metric, m]));
  }

  it('passes when the candidate (at weight 0) returns the known premiums', async () => {
    expect(v1(knownQuote)).toBe(102668.99);
    await route(await candidate());
    const s = source();
    const first = await s.measure(query());
    // The first call starts the probes; nothing has finished yet.
    expect(first.map((m) => m.phase)).toEqual(['nodata', 'nodata']);
    const m = await measureUntil(s, 3);
    expect(m['known-quote']).toMatchObject({
      source: 'http-probe',
      phase: 'ok',
      kind: 'checks',
      candidate: { failed: 0 },
    });
    expect(m['large-vessel']).toMatchObject({ phase: 'ok', kind: 'checks', candidate: { failed: 0 } });
  });

  it('fails the large-vessel check of a QUOTE_MODEL=v2 candidate, with the numbers', async () => {
    await route(await candidate({ QUOTE_MODEL: 'v2' }));
    const m = await measureUntil(source(), 3);
    // v2 only adds its surcharge above 50,000 GT: the known quote still passes.
    expect(m['known-quote']).toMatchObject({ phase: 'ok', candidate: { failed: 0 } });
    const large = m['large-vessel']!;
    if (large.phase !== 'ok' || large.kind !== 'checks') throw new Error('unreachable');
    expect(large.candidate.passed).toBe(0);
    expect(large.candidate.failed).toBeGreaterThanOrEqual(3);
    expect(v2(largeVessel)).not.toBe(v1(largeVessel));
    expect(large.candidate.lastFailure).toBe(`POST /quotes: premium: ${v2(largeVessel)}, expected ${v1(largeVessel)}`);
  });

  it('fails when the stable release answers instead of the candidate, or the candidate answers 500', async () => {
    // No candidate instance: the proxy falls back to the weighted split, so 1.0.0 answers.
    await route(undefined);
    const m = await measureUntil(source(), 2);
    expect(m['known-quote']).toMatchObject({
      phase: 'ok',
      candidate: {
        passed: 0,
        lastFailure: 'POST /quotes: answered by release 1.0.0 (x-release), expected candidate 2.0.0',
      },
    });

    await route(await candidate({ FAIL_RATE: '1' }));
    const failing = await measureUntil(source(), 2);
    const known = failing['known-quote']!;
    expect(known).toMatchObject({ phase: 'ok', candidate: { passed: 0 } });
    expect(known.phase === 'ok' && known.kind === 'checks' && known.candidate.lastFailure).toMatch(
      /^POST \/quotes: status 500, expected 200; premium: missing, expected 102668\.99/,
    );
  });

  it('says phase error, naming the address, when nothing listens there', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const s = source(url);
    await s.measure(query());
    let last: Measurement[] = [];
    await waitFor(
      async () => {
        last = await s.measure(query());
        return last.every((m) => m.phase === 'error');
      },
      'the probes to fail to connect',
      30_000,
    );
    expect(last[0]).toMatchObject({ phase: 'error', message: `POST /quotes: cannot reach ${url} (ECONNREFUSED)` });
    await s.close();
    await s.close();
    expect((await s.measure(query()))[0]).toMatchObject({
      phase: 'error',
      message: 'the http-probe signal source is closed',
    });
  });
});
