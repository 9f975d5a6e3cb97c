import { describe, expect, it } from 'vitest';
import { appendAudit } from '../../src/access/audit/chain.js';
import type { Db } from '../../src/store/db.js';
import { openPostgres } from '../../src/store/postgres-driver.js';
import { freshPglite, freshPostgres } from './store.js';

/** The same PGlite answers the same start time; a new one a later one. */
const started = async (db: Db) =>
  (await db.query<{ t: string }>('select pg_postmaster_start_time()::text as t')).rows[0]!.t;

const entry = { actor: 'ci', action: 'deployment.create', target: 'n', source: '10.0.0.7', status: 201 } as const;

const state = async (db: Db) => ({
  projects: (await db.query('select name from projects')).rows,
  cursor: (await db.query('select id, event_id from notify_cursor')).rows,
  migrations: (await db.query<{ n: number }>('select count(*)::int as n from slipway_schema_migrations')).rows[0]!.n,
  events: (await db.query<{ n: number }>('select count(*)::int as n from events')).rows[0]!.n,
  statementTimeout: (await db.query('show statement_timeout')).rows[0],
  tempTables: (await db.query("select relname from pg_class where relpersistence = 't'")).rows,
  audit: (await db.query<{ n: number }>('select count(*)::int as n from audit_log')).rows[0]!.n,
});

describe('fresh PGlite databases from the pool (test/support/pglite-pool.ts)', () => {
  it('hands a closed database out again in the template state: rows, cursor, sequences and session reset', async () => {
    const first = await freshPglite();
    const pristine = await state(first);
    const firstId = async (db: Db) =>
      (await db.query<{ id: string }>("select nextval('notify_deliveries_id_seq')::text as id")).rows[0]!.id;
    const sequenceStart = await firstId(first);
    await first.query("insert into projects (name, config, digest) values ('harbor', '{}', 'd')");
    await first.query('update notify_cursor set event_id = 99');
    await first.exec("set statement_timeout = '7s'; create temporary table scratch (x int)");
    await first.query("select nextval('notify_deliveries_id_seq')");
    const when = await started(first);
    await first.close();
    await expect(first.query('select 1')).rejects.toThrow(/after db.close\(\)/);

    const second = await freshPglite();
    expect(await started(second)).toBe(when);
    expect(await state(second)).toEqual(pristine);
    expect(await firstId(second)).toBe(sequenceStart);
    await second.close();
  });

  it('a changed schema is not reset but replaced: the next database is a new PGlite', async () => {
    const db = await freshPglite();
    const when = await started(db);
    await db.exec('create table leftover (x int)');
    await db.close();
    const next = await freshPglite();
    expect(await started(next)).not.toBe(when);
    expect((await next.query("select to_regclass('leftover') as t")).rows).toEqual([{ t: null }]);
    await next.close();
  });

  it('the audit log, append-only for the application, is emptied between tests', async () => {
    const db = await freshPglite();
    const first = await appendAudit(db, { ...entry, outcome: 'allowed' });
    await expect(db.query('truncate audit_log')).rejects.toThrow(/append-only/);
    await db.close();
    const next = await freshPglite();
    expect((await next.query<{ n: number }>('select count(*)::int as n from audit_log')).rows[0]!.n).toBe(0);
    // The chain starts again: the first record is numbered as the first of the last test was.
    expect((await appendAudit(next, { ...entry, outcome: 'allowed' })).seq).toBe(first.seq);
    await next.close();
  });
});

describe('fresh PostgreSQL databases from the pool (test/support/postgres-pool.ts)', () => {
  it('hands a released database out again in the template state; open sessions on it are ended', async () => {
    const first = await freshPostgres();
    const pristine = await state(first.db);
    await first.db.query("insert into projects (name, config, digest) values ('harbor', '{}', 'd')");
    await first.db.query('update notify_cursor set event_id = 99');
    await appendAudit(first.db, { ...entry, outcome: 'allowed' });
    // A second pool on the URL that the test forgot to close, holding a session-level advisory lock.
    const forgotten = await openPostgres(first.url);
    await forgotten.query('select pg_advisory_lock(42)');
    await first.drop();
    const second = await freshPostgres();
    expect(second.url).toBe(first.url);
    expect(await state(second.db)).toEqual(pristine);
    expect((await second.db.query('select pg_try_advisory_lock(42) as got')).rows).toEqual([{ got: true }]);
    await forgotten.close();
    await second.drop();
  });

  it('a changed schema is not reset: that database is dropped and the next one is new', async () => {
    const first = await freshPostgres();
    await first.db.exec('create table leftover (x int)');
    await first.drop();
    const second = await freshPostgres();
    expect(second.url).not.toBe(first.url);
    await second.drop();
  });
});
