import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { Db } from './db.js';
import { StoreError } from './errors.js';
import { dumpPglite, openPglite } from './pglite-driver.js';
import { takeTraced } from './pglite-trace.js';
import { isUniqueViolation } from './sql-errors.js';

// The coordinator's PGlite runs in a worker thread (openStore); the contract suite (drivers.test.ts) runs on the
// in-process one. What crosses the thread must come back as the in-process driver gives it.

// Each thread compiles PGlite's WebAssembly and runs initdb anew (~5 s alone, 94 s for this file in a loaded CI run
// when every test opened its own): the tests share one thread, each with tables of its own, and only the dump
// test opens a second. The generous timeout is for three test files sharing the two cores.
const slow = 120_000;

let shared: Db;
beforeAll(async () => {
  shared = await openPglite({ thread: true });
}, slow);
afterAll(async () => {
  await shared?.close();
});

const opened: Db[] = [];
const open = async (blob?: Blob) => {
  const db = await openPglite({ thread: true, ...(blob ? { loadDataDir: blob } : {}) });
  opened.push(db);
  return db;
};
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
});

it(
  'returns the values of the in-process driver across the thread: int8, Date, bytea as a Buffer, arrays',
  async () => {
    const db = shared;
    const at = new Date('2024-03-01T12:34:56.789Z');
    const { rows } = await db.query(
      `select 1::int8 as int8, $1::timestamptz as ts, '\\x0102ff'::bytea as bytes, array[1, null]::int8[] as int8s,
            '{"a": [1]}'::jsonb as jsonb, null::text as nothing`,
      [at],
    );
    expect(rows).toEqual([
      { int8: 1, ts: at, bytes: Buffer.from([1, 2, 255]), int8s: [1, null], jsonb: { a: [1] }, nothing: null },
    ]);
    expect(Buffer.isBuffer(rows[0]!.bytes)).toBe(true);
    await db.exec('create table t1 (a int primary key); insert into t1 values (1);');
    expect((await db.query('update t1 set a = a + 1')).rowCount).toBe(1);
  },
  slow,
);

it(
  'commits, rolls back, and reports SQL errors with their SQLSTATE and constraint',
  async () => {
    const db = shared;
    await db.exec('create table t2 (a int primary key)');
    await db.transaction(async (tx) => {
      await tx.query('insert into t2 values (1)');
      await tx.query('insert into t2 values (2)');
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.query('insert into t2 values (3)');
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    const duplicate = await db.query('insert into t2 values (1)').catch((e: unknown) => e);
    expect(isUniqueViolation(duplicate, 't2_pkey')).toBe(true);
    // A failed statement swallowed inside the transaction rolls it back, as in process.
    await expect(
      db.transaction(async (tx) => {
        await tx.query('insert into t2 values (4)');
        await tx.query('insert into t2 values (1)').catch(() => undefined);
      }),
    ).rejects.toThrow();
    expect((await db.query('select a from t2 order by a')).rows).toEqual([{ a: 1 }, { a: 2 }]);
  },
  slow,
);

it(
  'runs a foreground statement queued behind background ones first, as in process',
  async () => {
    const db = shared;
    await db.exec('create table t3 (n int)');
    const order: string[] = [];
    const background = Array.from({ length: 5 }, (_, i) =>
      db
        .background()
        .query('insert into t3 values ($1)', [i])
        .then(() => order.push(`b${i}`)),
    );
    const foreground = db.query('select 1').then(() => order.push('f'));
    await Promise.all([...background, foreground]);
    expect(order.indexOf('f')).toBeLessThan(order.indexOf('b2'));
    expect((await db.query('select count(*) as n from t3')).rows).toEqual([{ n: 5 }]);
  },
  slow,
);

it(
  'dumps a database that loads again, in a thread or in process; closed, a thread refuses use',
  async () => {
    const db = await open();
    await db.exec("create table t (s text); insert into t values ('kept');");
    const dump = await dumpPglite(db);
    const again = await open(dump);
    expect((await again.query('select s from t')).rows).toEqual([{ s: 'kept' }]);
    const inProcess = await openPglite({ loadDataDir: dump });
    opened.push(inProcess);
    expect((await inProcess.query('select s from t')).rows).toEqual([{ s: 'kept' }]);
    // Closed (twice, without harm), a thread's store refuses to be used.
    await again.close();
    await again.close();
    await expect(again.query('select 1')).rejects.toThrow(StoreError);
  },
  slow,
);

it(
  'takes a deployment write announced ahead, and runs the background after it or after its wait at most',
  async () => {
    const db = shared;
    // Announced far ahead and never written: the background still answers (it waits 25 ms at most).
    db.deploymentWriteDue?.(60_000);
    db.deploymentWriteDue?.(0);
    const background = db.background().query<{ n: number }>('select 1 as n');
    const step = db.deployment().query<{ n: number }>('select 2 as n');
    expect((await Promise.all([background, step])).map((r) => r.rows[0]!.n)).toEqual([1, 2]);
  },
  slow,
);

it('ignores an announcement once closed', async () => {
  const db = await open();
  await db.close();
  expect(() => db.deploymentWriteDue?.(5)).not.toThrow();
});

it(
  'times each request across the thread only when SLIPWAY_PGLITE_TRACE=1 (bench:notify --trace)',
  async () => {
    takeTraced();
    await shared.query('select 1');
    expect(takeTraced()).toEqual([]);
    process.env.SLIPWAY_PGLITE_TRACE = '1';
    let traced: Db;
    try {
      traced = await open();
    } finally {
      delete process.env.SLIPWAY_PGLITE_TRACE;
    }
    await traced.deployment().query('select   $1::int as n', [1]);
    const [request, ...others] = takeTraced();
    expect(others).toEqual([]);
    expect(request).toMatchObject({ lane: 'deployment', what: 'select $1::int as n' });
    const { sent, read, start, end, settled } = request!;
    expect([read, start, end, settled].every((t, i) => t >= [sent, read, start, end][i]!)).toBe(true);
    // A transaction's every request, its commit too, comes back timed.
    await traced.transaction((tx) => tx.query('select 2'));
    expect(takeTraced().map((r) => [r.lane, r.what])).toEqual([
      ['foreground', 'begin'],
      ['transaction', 'select 2'],
      ['transaction', 'commit'],
    ]);
  },
  slow,
);
