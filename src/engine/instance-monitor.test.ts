import { afterEach, describe, expect, it } from 'vitest';
import { engineHarness, type Harness } from '../../test/support/engine-harness.js';
import type { Db } from '../store/db.js';
import { listInstances } from '../store/repos/instances.js';
import { routedAt } from './instance-monitor.js';

describe('routedAt: where a status report puts an instance in the route table', () => {
  it('routes an instance meant to run, healthy, with an address; nothing else', () => {
    expect(routedAt('running', 'healthy', '127.0.0.1:4000')).toBe('127.0.0.1:4000');
    expect(routedAt('running', 'starting', '127.0.0.1:4000')).toBeUndefined();
    expect(routedAt('running', 'unhealthy', '127.0.0.1:4000')).toBeUndefined();
    expect(routedAt('running', 'healthy', undefined)).toBeUndefined();
    // Drained (warm) or being stopped: out of the table whatever the runtime reports.
    expect(routedAt('warm', 'healthy', '127.0.0.1:4000')).toBeUndefined();
    expect(routedAt('stopped', 'healthy', '127.0.0.1:4000')).toBeUndefined();
  });
});

/** The store as a leader whose lease ran out for a moment sees it: the fence refuses its first `n` status writes. */
function refusingStatusWrites(db: Db, n: number): { db: Db; refused: () => number } {
  let refused = 0;
  const wrapped: Db = {
    driver: db.driver,
    exec: (script) => db.exec(script),
    transaction: (fn) => db.transaction(fn),
    background: () => db.background(),
    deployment: () => db.deployment(),
    close: () => db.close(),
    query: (sql, params) => {
      if (refused < n && sql.includes('with old as') && sql.includes('update instances')) {
        refused++;
        return Promise.reject(
          new Error('slipway: this coordinator does not hold the leader lease; its write to instances is refused'),
        );
      }
      return db.query(sql, params);
    },
  };
  return { db: wrapped, refused: () => refused };
}

describe('instance monitor: a report the store refused', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is taken again from the runtime until the store has it: the deployment waiting on it succeeds', async () => {
    let store: ReturnType<typeof refusingStatusWrites> | undefined;
    h = await engineHarness(undefined, 'pglite', undefined, {}, (db) => {
      store = refusingStatusWrites(db, 3);
      return store.db;
    });
    const d = await h.engine.deploy({ project: 'harbor', service: 'api', environment: 'staging', version: '1.0.0' });
    const finished = await h.waitFinished(d.id, 20_000);
    expect(finished.state).toBe('succeeded');
    expect(store!.refused()).toBe(3);
    const live = await listInstances(h.db, { project: 'harbor', environment: 'staging', live: true });
    expect(live.map((i) => i.state)).toEqual(['healthy', 'healthy']);
  }, 30_000);
});
