import { describe, expect, it } from 'vitest';
import { OverviewCache } from './cache.js';
import type { Overview } from './view.js';

const overview = (n: number): Overview => ({
  project: 'harbor',
  dataPlane: { healthy: true, kind: 'builtin' },
  environments: [{ name: 'staging', url: `http://127.0.0.1:${n}`, services: [] }],
});

describe('OverviewCache', () => {
  it('refreshes in the background maxAgeMs after the last computation ended, never back to back', async () => {
    let now = 0;
    const cache = new OverviewCache({ subscribe: () => () => undefined }, 2000, () => now);
    let loads = 0;
    // Each computation takes 3 s of the clock: longer than maxAgeMs, as on a busy store.
    const load = async () => {
      loads++;
      now += 3000;
      return overview(loads);
    };
    const all = () => true;
    expect(await cache.json('harbor', load, all)).toContain(':1"');
    expect(loads).toBe(1);
    // The answer was computed from 0 to 3000: older than maxAgeMs at once, but not due for a refresh before 5000.
    now = 4999;
    await cache.json('harbor', load, all);
    expect(loads).toBe(1);
    now = 5001;
    expect(await cache.json('harbor', load, all)).toContain(':1"'); // the stale answer, while the refresh runs
    await new Promise((r) => setTimeout(r, 0));
    expect(loads).toBe(2);
    expect(await cache.json('harbor', load, all)).toContain(':2"');
    cache.close();
  });

  it('an event makes the next read compute again before answering', async () => {
    let listener: (e: { project: string | null }) => void = () => undefined;
    const cache = new OverviewCache({
      subscribe: (l) => {
        listener = l as never;
        return () => undefined;
      },
    });
    let loads = 0;
    const load = async () => overview(++loads);
    await cache.json('harbor', load, () => true);
    listener({ project: 'harbor' });
    expect(await cache.json('harbor', load, () => true)).toContain(':2"');
    cache.close();
  });
});
