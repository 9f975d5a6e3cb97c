import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SignalError } from '../errors.js';
import type { SignalQuery } from '../signal-source.js';
import { PrometheusSignalSource } from './prometheus-source.js';

const query: SignalQuery = {
  project: 'harbor',
  service: 'quote-api',
  environment: 'production',
  stable: '1.0.0',
  candidate: '2.0.0',
  from: 1_700_000_000_000,
  to: 1_700_000_030_000,
  baselineUntil: 1_699_999_990_000,
};

/** A stand-in Prometheus answering each form it receives with `answer(query, time)`. */
async function fakePrometheus(answer: (query: string, time: number) => { status?: number; body: unknown }) {
  const seen: { query: string; time: number }[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c));
    req.on('end', () => {
      const form = new URLSearchParams(raw);
      const q = { query: form.get('query')!, time: Number(form.get('time')) };
      seen.push(q);
      const { status = 200, body } = answer(q.query, q.time);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}
const value = (v: string) => ({
  body: { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [0, v] }] } },
});

describe('PrometheusSignalSource', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });
  async function setup(
    answer: Parameters<typeof fakePrometheus>[0],
    metrics = [{ name: 'error-rate', query: 'rate(x{release="{release}",svc="{service}"}[{window}])' }],
  ) {
    const prom = await fakePrometheus(answer);
    const source = new PrometheusSignalSource({ address: prom.url, metrics });
    cleanups.push(
      () => prom.close(),
      () => source.close(),
    );
    return { prom, source };
  }

  it('asks for the candidate and stable at the window end and the baseline at baselineUntil', async () => {
    const { prom, source } = await setup((q, t) =>
      value(t === query.baselineUntil / 1000 ? '0.01' : q.includes('2.0.0') ? '0.3' : '0.02'),
    );
    const [m] = await source.measure(query);
    expect(m).toEqual({
      metric: 'error-rate',
      source: 'prometheus',
      from: query.from,
      to: query.to,
      phase: 'ok',
      kind: 'value',
      candidate: 0.3,
      stable: 0.02,
      baseline: 0.01,
      higherIsWorse: true,
    });
    expect(prom.seen.map((s) => `${s.time} ${s.query}`).sort()).toEqual([
      '1699999990 rate(x{release="1.0.0",svc="quote-api"}[30s])',
      '1700000030 rate(x{release="1.0.0",svc="quote-api"}[30s])',
      '1700000030 rate(x{release="2.0.0",svc="quote-api"}[30s])',
    ]);
  });

  it('keeps the metric direction and unit, and leaves out a baseline it could not get', async () => {
    const { source } = await setup(
      (_q, t) =>
        t === query.baselineUntil / 1000
          ? { status: 200, body: { status: 'success', data: { resultType: 'vector', result: [] } } }
          : value('5'),
      [
        {
          name: 'throughput',
          query: 'sum(rate(x{release="{release}"}[{window}]))',
          higherIsWorse: false,
          unit: 'req/s',
        } as never,
      ],
    );
    const [m] = await source.measure(query);
    expect(m).toMatchObject({ phase: 'ok', candidate: 5, stable: 5, higherIsWorse: false, unit: 'req/s' });
    expect(m).not.toHaveProperty('baseline');
  });

  it('reports nodata and error per release, errors first', async () => {
    const { source } = await setup((q) =>
      q.includes('2.0.0')
        ? { status: 400, body: { status: 'error', errorType: 'bad_data', error: 'boom' } }
        : { body: { status: 'success', data: { resultType: 'vector', result: [] } } },
    );
    const [m] = await source.measure(query);
    expect(m).toMatchObject({ phase: 'error' });
    expect(m!.phase === 'error' && m!.message).toBe(
      'candidate 2.0.0: bad_data: boom (query: rate(x{release="2.0.0",svc="quote-api"}[30s])); stable 1.0.0: query ' +
        'returned no series: rate(x{release="1.0.0",svc="quote-api"}[30s])',
    );
  });

  it('says an unreachable server once, with its address, and never throws', async () => {
    const prom = await fakePrometheus(() => ({ body: {} }));
    await prom.close();
    const source = new PrometheusSignalSource({
      address: prom.url,
      metrics: [
        { name: 'a', query: 'up' },
        { name: 'b', query: 'up' },
      ],
      timeoutMs: 2_000,
    });
    cleanups.push(() => source.close());
    const ms = await source.measure(query);
    expect(ms.map((m) => m.metric)).toEqual(['a', 'b']);
    for (const m of ms)
      expect(m).toMatchObject({ phase: 'error', message: `Prometheus at ${prom.url} is not reachable (ECONNREFUSED)` });
  });

  it('answers an aborted measurement with phase error', async () => {
    const { source } = await setup(() => value('1'));
    const controller = new AbortController();
    controller.abort(new Error('the analysis ended'));
    expect(await source.measure(query, controller.signal)).toEqual([
      expect.objectContaining({ phase: 'error', message: 'measurement aborted: the analysis ended' }),
    ]);
  });

  it('rejects bad options with the key that is wrong', () => {
    const ok = { address: 'http://127.0.0.1:9090', metrics: [{ name: 'm', query: 'up' }] };
    const message = (config: unknown) => {
      try {
        new PrometheusSignalSource(config as never);
      } catch (e) {
        expect(e).toBeInstanceOf(SignalError);
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(message({ ...ok, address: 'ftp://127.0.0.1:9090' })).toMatch(
      /^prometheus source: address: expected an http/,
    );
    expect(message({ ...ok, address: '127.0.0.1:9090' })).toMatch(
      /^prometheus source: address: "127.0.0.1:9090" is not a URL; expected e.g. http:/,
    );
    expect(message({ ...ok, address: 'not a url' })).toMatch(/^prometheus source: address: "not a url" is not a URL/);
    expect(message({ ...ok, metrics: [] })).toBe('prometheus source: metrics: expected at least one metric');
    expect(
      message({
        ...ok,
        metrics: [
          { name: 'm', query: 'up' },
          { name: 'm', query: 'up' },
        ],
      }),
    ).toBe('prometheus source: metrics[1].name: "m" is used by another metric');
    expect(message({ ...ok, metrics: [{ name: 'm', query: 'x{release="{version}"}' }] })).toMatch(
      /^prometheus source: metrics\[0\]\.query: unknown placeholder \{version\}/,
    );
    expect(message({ ...ok, timeoutMs: 0 })).toMatch(/timeoutMs/);
  });
});
