import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertPostgresReachable } from '../../test/support/store.js';
import { engineHarness, harnessConfig, type Harness } from '../../test/support/engine-harness.js';
import type { Db } from '../store/db.js';
import { listInstances } from '../store/repos/instances.js';
import { listEvents } from '../store/repos/events.js';
import { retireWarmInstances } from './sweeper.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The store as the engine sees it, refusing the first `stopped_at` write: a retire interrupted half-way. */
function failingFirstMarkStopped(db: Db): Db {
  let failed = false;
  return new Proxy(db, {
    get(target, key, receiver) {
      if (key !== 'query') return Reflect.get(target, key, receiver);
      return async (sql: string, params?: unknown[]) => {
        if (!failed && sql.includes('stopped_at = coalesce')) {
          failed = true;
          throw new Error('connection reset while marking an instance stopped');
        }
        return target.query(sql, params);
      };
    },
  });
}

beforeAll(assertPostgresReachable);

describe('retiring warm instances', () => {
  it('a retire that failed half-way (told to stop, never marked stopped) is finished by a later sweep', async () => {
    h = await engineHarness(harnessConfig({ instances: 1 }), 'postgres');
    const first = await h.engine.deploy({
      project: 'harbor',
      service: 'api',
      environment: 'staging',
      version: '1.0.0',
    });
    await h.waitFinished(first.id);
    const second = await h.engine.deploy({
      project: 'harbor',
      service: 'api',
      environment: 'staging',
      version: '2.0.0',
    });
    expect((await h.waitFinished(second.id)).state).toBe('succeeded');
    // The engine's own timer is stopped: the sweeps below are the only ones. The window ends now.
    await h.engine.close();
    await h.db.query(`update instances set retire_at = now() - interval '1 second' where desired = 'warm'`);
    const deps = { ...h.engine.deps, db: failingFirstMarkStopped(h.db) };
    const old = async () =>
      (await listInstances(h!.db, { project: 'harbor', environment: 'staging' })).filter(
        (i) => i.retireAt !== undefined,
      );
    // The first sweep fails after telling the instance to stop: it is left desired=stopped but not stopped, to be
    // tried again 30 s later (not at every tick).
    await retireWarmInstances(deps);
    const [left] = await old();
    expect([left?.desired, left?.stoppedAt]).toEqual(['stopped', undefined]);
    expect(left!.retireAt!.getTime()).toBeGreaterThan(Date.now() + 25_000);
    await retireWarmInstances(deps);
    expect((await old()).map((i) => i.stoppedAt)).toEqual([undefined]);
    // 30 s on, a sweep finds it again and finishes: stopped, with its event.
    await retireWarmInstances({ ...deps, clock: { ...deps.clock, now: () => Date.now() + 31_000 } });
    expect((await old()).map((i) => [i.desired, i.state, i.stoppedAt !== undefined])).toEqual([
      ['stopped', 'stopped', true],
    ]);
    const retired = (await listEvents(h.db, { project: 'harbor', limit: 100 })).filter(
      (e) => e.kind === 'instance.retired',
    );
    expect(retired).toHaveLength(1);
  }, 30_000);
});
