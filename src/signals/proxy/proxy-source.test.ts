import { describe, expect, it } from 'vitest';
import type { SamplesPage, TrafficSample } from '../../traffic/router.js';
import { SignalError } from '../errors.js';
import type { SignalQuery } from '../signal-source.js';
import { ProxySignalSource } from './proxy-source.js';

/** A stand-in proxy: a sample buffer per process start, answering `samples` like the real one. */
class FakeProxy {
  startedAt = 1_000;
  samples: TrafficSample[] = [];
  dropped = 0;
  calls: number[] = [];
  failWith: Error | undefined;
  hang: Promise<void> | undefined;
  private seq = 0;

  record(release: string, at: number, status = 200, latencyMs = 10, proxyError = false): void {
    this.samples.push({ seq: ++this.seq, release, at, status, latencyMs, proxyError });
  }
  /** The proxy's ring dropped its oldest `n` samples. */
  drop(n: number): void {
    this.samples.splice(0, n);
    this.dropped += n;
  }
  restart(at: number): void {
    this.startedAt = at;
    this.samples = [];
    this.seq = 0;
  }
  async page(environment: string, service: string, after = 0): Promise<SamplesPage> {
    this.calls.push(after);
    if (this.hang) await this.hang;
    if (this.failWith) throw this.failWith;
    const samples = this.samples.filter((s) => s.seq > after);
    const missed = Math.max(0, this.seq - after - samples.length);
    return {
      startedAt: this.startedAt,
      environment,
      service,
      samples: structuredClone(samples),
      cursor: this.seq,
      missed,
    };
  }
}

const query: SignalQuery = {
  project: 'harbor',
  service: 'api',
  environment: 'prod',
  stable: '1.0.0',
  candidate: '2.0.0',
  from: 100,
  to: 1_000,
  baselineUntil: 100,
};

function setup() {
  const proxy = new FakeProxy();
  const source = new ProxySignalSource({
    router: { samples: (e, s, a) => proxy.page(e, s, a) },
    environment: 'harbor.prod',
    service: 'api',
  });
  return { proxy, source };
}

describe('ProxySignalSource', () => {
  it('counts requests, errors and latencies per release, and the baseline before baselineUntil', async () => {
    const { proxy, source } = setup();
    proxy.record('1.0.0', 50, 200, 11);
    proxy.record('1.0.0', 60, 503, 12, true);
    proxy.record('1.0.0', 150, 200, 13);
    proxy.record('2.0.0', 160, 500, 14);
    proxy.record('2.0.0', 170, 404, 15);
    proxy.record('0.9.0', 180, 500, 16);
    const [m] = await source.measure(query);
    expect(m).toMatchObject({
      metric: 'requests',
      source: 'proxy',
      from: 100,
      to: 1_000,
      phase: 'ok',
      kind: 'requests',
      missed: 0,
    });
    if (m?.phase !== 'ok' || m.kind !== 'requests') throw new Error('expected requests');
    expect(m.candidate).toEqual({ total: 2, errors: 1, latenciesMs: expect.arrayContaining([14, 15]) });
    expect(m.stable).toEqual({ total: 1, errors: 0, latenciesMs: [13] });
    expect(m.baseline).toEqual({ total: 2, errors: 1, latenciesMs: expect.arrayContaining([11, 12]) });
    expect(proxy.calls).toEqual([0]);
  });

  it('reads on from its cursor and counts every sample once', async () => {
    const { proxy, source } = setup();
    proxy.record('2.0.0', 200);
    await source.measure(query);
    proxy.record('2.0.0', 300, 500);
    proxy.record('2.0.0', 400);
    const [m] = await source.measure(query);
    expect(proxy.calls).toEqual([0, 1]);
    expect(m).toMatchObject({ phase: 'ok', candidate: { total: 3, errors: 1 } });
    const [again] = await source.measure(query);
    expect(again).toMatchObject({ candidate: { total: 3 } });
    // A narrower window counts only its part.
    expect((await source.measure({ ...query, from: 300, to: 400 }))[0]).toMatchObject({
      candidate: { total: 1, errors: 1 },
    });
  });

  it('keeps what it counted when the proxy restarts, and reads the new process from the start', async () => {
    const { proxy, source } = setup();
    proxy.record('2.0.0', 200);
    proxy.record('2.0.0', 210);
    await source.measure(query);
    proxy.restart(5_000);
    proxy.record('2.0.0', 600, 502, 1, true);
    const [m] = await source.measure(query);
    expect(proxy.calls).toEqual([0, 2, 0]);
    expect(m).toMatchObject({ phase: 'ok', candidate: { total: 3, errors: 1 }, missed: 0 });
  });

  it('counts what it got when it fell behind and says how many it missed', async () => {
    const { proxy, source } = setup();
    proxy.record('2.0.0', 200);
    proxy.drop(1); // gone before the first read: history, not a miss
    proxy.record('2.0.0', 210);
    await source.measure(query);
    for (let i = 0; i < 5; i++) proxy.record('2.0.0', 300 + i);
    proxy.drop(4);
    const [m] = await source.measure(query);
    expect(m).toMatchObject({ phase: 'ok', candidate: { total: 3 }, missed: 3 });
  });

  it('turns a router failure into phase error and recovers on the next call', async () => {
    const { proxy, source } = setup();
    proxy.record('2.0.0', 200);
    proxy.failWith = new Error('the Slipway proxy is not reachable at 127.0.0.1:7070 (GET /samples: ECONNREFUSED)');
    const [m] = await source.measure(query);
    expect(m).toEqual({
      metric: 'requests',
      source: 'proxy',
      from: 100,
      to: 1_000,
      phase: 'error',
      message:
        "cannot read the proxy's samples of service api in harbor.prod: the Slipway proxy is not reachable at " +
        '127.0.0.1:7070 (GET /samples: ECONNREFUSED)',
    });
    proxy.failWith = undefined;
    expect((await source.measure(query))[0]).toMatchObject({ phase: 'ok', candidate: { total: 1 } });
  });

  it('answers phase error when aborted, and still ingests the page that was on its way', async () => {
    const { proxy, source } = setup();
    proxy.record('2.0.0', 200);
    let release!: () => void;
    proxy.hang = new Promise((r) => (release = r));
    const controller = new AbortController();
    const pending = source.measure(query, controller.signal);
    controller.abort(new Error('look timed out'));
    expect(await pending).toEqual([
      expect.objectContaining({
        phase: 'error',
        message: expect.stringContaining('measurement aborted: look timed out'),
      }),
    ]);
    proxy.hang = undefined;
    release();
    const [m] = await source.measure(query);
    expect(m).toMatchObject({ phase: 'ok', candidate: { total: 1 } });
    expect(proxy.calls).toEqual([0, 1]);
  });

  it('rejects options it cannot work with', () => {
    const router = { samples: () => Promise.reject(new Error('unused')) };
    expect(() => new ProxySignalSource({ router, environment: '', service: 'api' })).toThrow(SignalError);
    expect(
      () => new ProxySignalSource({ router, environment: 'e', service: 'api', maxLatenciesPerRelease: 0 }),
    ).toThrow(/maxLatenciesPerRelease: expected a positive integer/);
  });
});
