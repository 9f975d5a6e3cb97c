import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusSignalSource } from '../src/signals/index.js';
import type { Measurement, SignalQuery } from '../src/signals/signal-source.js';
import { freePort, waitFor } from './proxy-support.js';
import { startHarborQuote, startLoad, type HarborQuote, type Load } from './signals-support.js';
import { startPrometheus, type RunningPrometheus } from './support/prometheus.js';

// `or vector(0)`: a release without a single 5xx has no 5xx series, and sum() of nothing is no series at all.
const errorRate =
  '(sum(rate(harbor_requests_total{release="{release}",code=~"5.."}[{window}])) or vector(0)) / ' +
  'sum(rate(harbor_requests_total{release="{release}"}[{window}]))';
const p95 =
  'histogram_quantile(0.95, sum by (le) (rate(harbor_request_duration_seconds_bucket{release="{release}"}[{window}])))';
// Candidate → 7 and stable → 3 only when {release} reached Prometheus exactly as given (see the escaping test).
const echoRelease = (quote: string) =>
  `absent(slipway_no_such_metric{rel=${quote}{release}${quote}}) * on(rel) (label_replace(vector(7), "rel", ` +
  `"a\\"b\\\\c'd", "", "") or label_replace(vector(3), "rel", "1.0.0", "", ""))`;

describe('PrometheusSignalSource against a real Prometheus', () => {
  let stable: HarborQuote | undefined;
  let candidate: HarborQuote | undefined;
  let prometheus: RunningPrometheus | undefined;
  const loads: Load[] = [];
  const sources: PrometheusSignalSource[] = [];

  const windowMs = 10_000;
  /** A query for the last 10 s, the baseline 4 s earlier. */
  const queryNow = (over: Partial<SignalQuery> = {}): SignalQuery => {
    const to = Date.now();
    return {
      project: 'harbor',
      service: 'quote-api',
      environment: 'production',
      stable: '1.0.0',
      candidate: '2.0.0',
      from: to - windowMs,
      to,
      baselineUntil: to - 4_000,
      ...over,
    };
  };
  const source = (metrics: { name: string; query: string; higherIsWorse?: boolean }[], address = prometheus!.url) => {
    const s = new PrometheusSignalSource({ address, metrics, timeoutMs: 10_000 });
    sources.push(s);
    return s;
  };
  const byMetric = (ms: Measurement[]) => Object.fromEntries(ms.map((m) => [m.metric, m]));

  beforeAll(async () => {
    stable = await startHarborQuote('1.0.0');
    candidate = await startHarborQuote('2.0.0', { FAIL_RATE: '0.3', EXTRA_LATENCY_MS: '120' });
    loads.push(startLoad(`http://${stable.address}/quotes/sample`, { workers: 2, pauseMs: 20 }));
    loads.push(startLoad(`http://${candidate.address}/quotes/sample`, { workers: 4, pauseMs: 5 }));
    prometheus = await startPrometheus({ scrapeTargets: [stable.address, candidate.address], scrapeIntervalMs: 1000 });
    // Wait until Prometheus holds enough scrapes for a rate over the window, now and at the baseline time.
    const ready = source([{ name: 'error-rate', query: errorRate }]);
    let last: Measurement | undefined;
    await waitFor(
      async () => {
        [last] = await ready.measure(queryNow());
        return last?.phase === 'ok' && last.kind === 'value' && last.baseline !== undefined;
      },
      'Prometheus to have scraped both releases long enough',
      90_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}; last measurement: ${JSON.stringify(last)}`);
    });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(sources.map((s) => s.close()));
    await Promise.all(loads.map((l) => l.stop()));
    await prometheus?.stop();
    await Promise.all([stable?.stop(), candidate?.stop()]);
  });

  it('measures error rate and p95 per release, with the baseline', async () => {
    const q = queryNow();
    const m = byMetric(
      await source([
        { name: 'error-rate', query: errorRate },
        { name: 'latency-p95', query: p95 },
      ]).measure(q),
    );
    const rate = m['error-rate']!;
    expect(rate).toMatchObject({
      source: 'prometheus',
      from: q.from,
      to: q.to,
      phase: 'ok',
      kind: 'value',
      stable: 0,
      baseline: 0,
      higherIsWorse: true,
    });
    if (rate.phase !== 'ok' || rate.kind !== 'value') throw new Error('unreachable');
    // FAIL_RATE=0.3 over a few hundred requests.
    expect(rate.candidate).toBeGreaterThan(0.1);
    expect(rate.candidate).toBeLessThan(0.5);
    const latency = m['latency-p95']!;
    if (latency.phase !== 'ok' || latency.kind !== 'value') throw new Error(`latency-p95: ${JSON.stringify(latency)}`);
    // Every candidate request waits at least 120 ms, so its p95 lies above the 0.1 s bucket bound
    // (no upper bound or stable comparison here: those would be assertions on speed).
    expect(latency.candidate).toBeGreaterThan(0.1);
    expect(latency.stable).toBeGreaterThanOrEqual(0);
    expect(typeof latency.baseline).toBe('number');
  });

  it('escapes the release for the string literal it is templated into', async () => {
    const q = queryNow({ candidate: `a"b\\c'd` });
    const m = byMetric(
      await source([
        { name: 'double', query: echoRelease('"') },
        { name: 'single', query: echoRelease("'") },
      ]).measure(q),
    );
    expect(m.double).toMatchObject({ phase: 'ok', candidate: 7, stable: 3 });
    expect(m.single).toMatchObject({ phase: 'ok', candidate: 7, stable: 3 });
  });

  it("turns a failing query into phase error with Prometheus' message", async () => {
    const [m] = await source([
      { name: 'broken', query: 'sum(rate(harbor_requests_total{release="{release}"}[{window}])' },
    ]).measure(queryNow());
    expect(m).toMatchObject({ metric: 'broken', phase: 'error' });
    expect(m!.phase === 'error' && m!.message).toMatch(
      new RegExp(
        String.raw`^candidate 2\.0\.0: bad_data: .*parse error.*\(query:` +
          String.raw` sum\(rate\(harbor_requests_total\{release="2\.0\.0"\}\[10s\]\)\); stable 1\.0\.0: bad_data: `,
      ),
    );
  });

  it('says nodata for a query with no series and for NaN', async () => {
    const m = byMetric(
      await source([
        { name: 'none', query: 'sum(harbor_requests_total{release="{release}",route="/no-such-route"})' },
        { name: 'nan', query: 'sum(harbor_requests_total{release="{release}"}) * 0 / 0' },
      ]).measure(queryNow()),
    );
    expect(m.none).toMatchObject({
      phase: 'nodata',
      message: expect.stringContaining(
        'query returned no series: sum(harbor_requests_total{release="2.0.0",route="/no-such-route"})',
      ),
    });
    expect(m.nan).toMatchObject({ phase: 'nodata', message: expect.stringContaining('query returned NaN') });
  });

  it('is an error when the query gives more than one series', async () => {
    // The candidate has a 200 and a 500 series; the query must aggregate.
    const [m] = await source([{ name: 'raw', query: 'harbor_requests_total{release="{release}"}' }]).measure(
      queryNow(),
    );
    expect(m).toMatchObject({
      phase: 'error',
      message: expect.stringMatching(/^candidate 2\.0\.0: query returned 2 series, expected one/),
    });
  });

  it('names the address when Prometheus is unreachable', async () => {
    const address = `http://127.0.0.1:${await freePort()}`;
    const [m] = await source([{ name: 'error-rate', query: errorRate }], address).measure(queryNow());
    expect(m).toMatchObject({ phase: 'error', message: `Prometheus at ${address} is not reachable (ECONNREFUSED)` });
  });
});
