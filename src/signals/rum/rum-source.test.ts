import { describe, expect, it } from 'vitest';
import type { RumPage, RumSample } from '../../traffic/proxy/rum-samples.js';
import type { SignalQuery } from '../signal-source.js';
import { RumSignalSource } from './rum-source.js';

/** A proxy whose RUM ring we fill by hand; answers like GET /rum (seq > after). */
function fakeProxy(startedAt = 1) {
  const state = { startedAt, samples: [] as RumSample[], calls: [] as number[] };
  const push = (release: string, at: number, name: RumSample['name'], value = 1, view = 0) =>
    state.samples.push({ seq: state.samples.length + 1, release, at, name, value, view });
  const router = {
    rum: async (environment: string, service: string, after = 0): Promise<RumPage> => {
      state.calls.push(after);
      const samples = state.samples.filter((s) => s.seq > after);
      return { startedAt: state.startedAt, environment, service, samples, cursor: state.samples.length, missed: 0 };
    },
  };
  return { state, push, router };
}

const query = (from: number, to: number): SignalQuery => ({
  project: 'harbor',
  service: 'web',
  environment: 'staging',
  stable: '1.0.0',
  candidate: '2.0.0',
  from,
  to,
  baselineUntil: 1000,
});

describe('RumSignalSource', () => {
  it('counts page views (LCP), errors and LCP values per release and window, reading only new beacons', async () => {
    const proxy = fakeProxy();
    const source = new RumSignalSource({ router: proxy.router, environment: 'harbor.staging', service: 'web' });
    proxy.push('1.0.0', 500, 'LCP', 1400); // before the deployment: the baseline
    proxy.push('1.0.0', 1500, 'LCP', 1500);
    proxy.push('2.0.0', 1600, 'LCP', 2500);
    proxy.push('2.0.0', 1700, 'error');
    proxy.push('2.0.0', 1800, 'CLS', 0.12); // kept by the proxy, not judged
    let [m] = await source.measure(query(1000, 2000));
    expect(m).toEqual({
      metric: 'rum',
      source: 'rum',
      from: 1000,
      to: 2000,
      phase: 'ok',
      kind: 'rum',
      candidate: { pageViews: 1, errorViews: 1, lcpMs: [2500] },
      stable: { pageViews: 1, errorViews: 0, lcpMs: [1500] },
      baseline: { pageViews: 1, errorViews: 0, lcpMs: [1400] },
    });
    proxy.push('2.0.0', 2100, 'LCP', 2700);
    proxy.push('2.0.0', 2200, 'error');
    [m] = await source.measure(query(1000, 3000));
    expect(m).toMatchObject({ candidate: { pageViews: 2, errorViews: 2, lcpMs: [2500, 2700] } });
    expect(proxy.state.calls).toEqual([0, 5]);
    // A page view that throws three times (one view id) is one view with errors.
    for (const at of [2300, 2400, 2500]) proxy.push('2.0.0', at, 'error', 1, 0xbeef);
    [m] = await source.measure(query(1000, 3000));
    expect(m).toMatchObject({ candidate: { errorViews: 3 } });
  });

  it('starts over from 0 when the proxy restarted, keeping what it counted', async () => {
    const proxy = fakeProxy(1);
    const source = new RumSignalSource({ router: proxy.router, environment: 'harbor.staging', service: 'web' });
    proxy.push('2.0.0', 1500, 'LCP', 2000);
    await source.measure(query(1000, 2000));
    proxy.state.startedAt = 2;
    proxy.state.samples = [];
    proxy.push('2.0.0', 1900, 'LCP', 2100);
    const [m] = await source.measure(query(1000, 3000));
    expect(m).toMatchObject({ candidate: { pageViews: 2, lcpMs: [2000, 2100] } });
  });

  it('a page that is not a page is a measurement error naming the service', async () => {
    const source = new RumSignalSource({
      router: { rum: async () => ({ nope: true }) as unknown as RumPage },
      environment: 'harbor.staging',
      service: 'web',
    });
    const [m] = await source.measure(query(0, 1));
    expect(m).toMatchObject({
      phase: 'error',
      message:
        'cannot read the RUM beacons of service web in harbor.staging: the proxy answered /rum with something that ' +
        'is not a page of RUM samples',
    });
  });

  it('refuses options it cannot work with', () => {
    const router = fakeProxy().router;
    expect(() => new RumSignalSource({ router, environment: '', service: 'web' })).toThrow('rum source: environment');
    expect(() => new RumSignalSource({ router, environment: 'e', service: 'web', maxLcpPerRelease: 0 })).toThrow(
      'rum source: maxLcpPerRelease: expected a positive integer, got 0',
    );
  });
});
