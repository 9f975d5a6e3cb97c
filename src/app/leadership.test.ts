import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgres, type FreshPostgres } from '../../test/support/store.js';
import { until } from '../../test/support/processes.js';
import { silentLogger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import { openPostgres } from '../store/postgres-driver.js';
import { acquireLease, readLease, renewLease } from '../store/repos/leader-lease.js';
import { Leadership } from './leadership.js';

/** The lease and its fence on a real PostgreSQL: one database for the file, each coordinator its own pool. */
let pg: FreshPostgres;
const pools: Db[] = [];
const as = async (holder: string) => {
  const db = await openPostgres(pg.url, { holder });
  pools.push(db);
  return db;
};
const candidate = (holder: string) => ({ holder, url: `http://127.0.0.1/${holder}`, host: 'test', pid: 1 });
/** A write to an engine table that changes nothing: the statement trigger still runs. */
const engineWrite = (db: Db) => db.query('delete from deployments where false');
const expireNow = () => pg.db.query('update leader_lease set expires_at = clock_timestamp()');

beforeAll(async () => {
  pg = await freshPostgres();
}, 60_000);
afterAll(async () => {
  for (const db of pools) await db.close();
  await pg?.drop();
});

describe('leader lease and fence', () => {
  it('one holder at a time; the token grows; a deposed holder cannot renew and its writes are refused', async () => {
    const a = await as('coordinator-a');
    const b = await as('coordinator-b');
    // Nobody leads yet: every coordinator's engine writes are refused, an unfenced connection's are not.
    await expect(engineWrite(a)).rejects.toMatchObject({ code: '55P03' });
    await engineWrite(pg.db);

    const first = await acquireLease(a, candidate('coordinator-a'), 60_000);
    expect(first?.token).toBe(1);
    expect(await acquireLease(b, candidate('coordinator-b'), 60_000)).toBeUndefined();
    await engineWrite(a);
    await expect(engineWrite(b)).rejects.toThrow(/coordinator-b.*does not hold the leader lease.*deployments/);

    await expireNow();
    await expect(engineWrite(a)).rejects.toMatchObject({ code: '55P03' }); // expired: refused before anyone took it
    // Renewed late, before anyone took it: the same term goes on (the fence refused its writes meanwhile).
    expect(await renewLease(a, 'coordinator-a', 1, 60_000)).toBe(true);
    await engineWrite(a);
    await expireNow();
    const second = await acquireLease(b, candidate('coordinator-b'), 60_000);
    expect(second?.token).toBe(2);
    expect(await renewLease(a, 'coordinator-a', 1, 60_000)).toBe(false);
    await expect(engineWrite(a)).rejects.toThrow(/coordinator-a.*does not hold the leader lease/);
    await engineWrite(b);
    // Inside a transaction the refusal rolls the whole transaction back.
    await expect(
      a.transaction(async (tx) => {
        await tx.query(`update leader_lease set url = 'changed'`);
        await engineWrite(tx as Db);
      }),
    ).rejects.toMatchObject({ code: '55P03' });
    expect((await readLease(pg.db))?.url).toBe('http://127.0.0.1/coordinator-b');
  });

  it('a lone leader whose lease ran out before its renewal keeps the term when nobody took it', async () => {
    await expireNow();
    const led: string[] = [];
    const z = new Leadership({
      db: await as('campaigner-z'),
      candidate: candidate('campaigner-z'),
      timing: { ttlMs: 1500, renewMs: 300, pollMs: 100 },
      logger: silentLogger,
      lead: async (token) => void led.push(`lead:${token}`),
      stepDown: async () => void led.push('down'),
    });
    await z.start();
    const token = z.lease!.token;
    await expireNow(); // as if the process had been starved past its lease
    await until('a renewal after the expiry', async () => (await readLease(pg.db))!.expiresAt > new Date(), 10_000);
    expect(z.isLeader).toBe(true);
    expect(led).toEqual([`lead:${token}`]);
    expect((await readLease(pg.db))?.token).toBe(token);
    await z.close();
  });

  it('two campaigners: one leads; when it stops the other takes over with a newer token', async () => {
    await expireNow();
    const led: string[] = [];
    const make = async (holder: string) =>
      new Leadership({
        db: await as(holder),
        candidate: candidate(holder),
        timing: { ttlMs: 1500, renewMs: 300, pollMs: 100 },
        logger: silentLogger,
        lead: async (token) => void led.push(`${holder}:${token}`),
        stepDown: async () => void led.push(`${holder}:down`),
      });
    const x = await make('campaigner-x');
    const y = await make('campaigner-y');
    await x.start();
    await y.start();
    expect([x.isLeader, y.isLeader]).toEqual([true, false]);
    expect(y.lease?.holder).toBe('campaigner-x');
    await x.close();
    await until('y to lead', () => y.isLeader, 20_000);
    const tokens = led.filter((e) => !e.endsWith('down')).map((e) => Number(e.split(':')[1]));
    expect(led[0]?.startsWith('campaigner-x:')).toBe(true);
    expect(led).toContain('campaigner-x:down');
    expect(tokens[1]).toBeGreaterThan(tokens[0]!);
    await y.close();
  });

  it('a leader whose store connections are all gone (its process died) is replaced at once', async () => {
    await expireNow();
    const led: string[] = [];
    const make = (holder: string, db: Db) =>
      new Leadership({
        db,
        candidate: candidate(holder),
        // A lease of a minute: only the vanished connections can explain a takeover within seconds.
        timing: { ttlMs: 60_000, renewMs: 300, pollMs: 100 },
        logger: silentLogger,
        lead: async (token) => void led.push(`${holder}:${token}`),
        stepDown: async () => void led.push(`${holder}:down`),
      });
    const vDb = await openPostgres(pg.url, { holder: 'campaigner-v' });
    const v = make('campaigner-v', vDb);
    const w = make('campaigner-w', await as('campaigner-w'));
    await v.start();
    await w.start();
    expect([v.isLeader, w.isLeader]).toEqual([true, false]);
    const first = v.lease!.token;
    // A leader that is alive and connected keeps its lease: a second of polls changes nothing.
    await new Promise((r) => setTimeout(r, 1000));
    expect(w.isLeader).toBe(false);
    // As when its process is SIGKILLed: every connection closes (its timers are stopped with it).
    await vDb.close();
    const t = performance.now();
    await until('w to lead', () => w.isLeader, 10_000);
    expect(performance.now() - t).toBeLessThan(5_000);
    expect(w.lease!.token).toBe(first + 1);
    // The deposed holder's writes are refused, from whatever connection it opens again.
    const again = await as('campaigner-v');
    await expect(engineWrite(again)).rejects.toThrow(/campaigner-v.*does not hold the leader lease/);
    await v.close().catch(() => undefined);
    await w.close();
  });
});
