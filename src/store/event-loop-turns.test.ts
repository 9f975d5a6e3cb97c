import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPglite } from '../../test/support/store.js';
import type { Db } from './db.js';
import { turnIfBusy } from './event-loop-turns.js';

describe('PGlite statements give the event loop a turn', () => {
  let db: Db;
  beforeAll(async () => {
    db = await freshPglite({ migrated: false });
  });
  afterAll(async () => {
    await db.close();
  });

  it('lets a timer fire in the middle of a long burst of awaited statements', async () => {
    // PGlite resolves on microtasks: without the turns this loop would run all its statements before the timer.
    const statements = 3000;
    let firedAt: number | undefined;
    const timer = setTimeout(() => {
      firedAt = done;
    }, 0);
    let done = 0;
    try {
      while (done < statements) {
        await db.query('select $1::int as n', [done]);
        done += 1;
        if (firedAt !== undefined) break;
      }
    } finally {
      clearTimeout(timer);
    }
    expect(firedAt).toBeDefined();
    expect(firedAt!).toBeLessThan(statements);
  });

  it('keeps a transaction whole across the turns it gives', async () => {
    let ticks = 0;
    const ticker = setInterval(() => {
      ticks += 1;
    }, 1);
    try {
      const inside = await db.transaction(async (tx) => {
        await tx.exec('create table burst (n int)');
        let n = 0;
        for (; ticks === 0 && n < 5000; n++) await tx.query('insert into burst (n) values ($1)', [n]);
        return { n, ticks };
      });
      expect(inside.ticks).toBeGreaterThan(0);
      expect(inside.n).toBeLessThan(5000);
      const { rows } = await db.query<{ n: number }>('select count(*)::int as n from burst');
      expect(rows[0]!.n).toBe(inside.n);
    } finally {
      clearInterval(ticker);
    }
  });

  it('adds nothing while the slice has time left', () => {
    // The first call starts a slice; the next, right after, is within it.
    turnIfBusy(60_000);
    expect(turnIfBusy(60_000)).toBeUndefined();
  });
});
