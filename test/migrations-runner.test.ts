import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MigrationError } from '../src/migrations/errors.js';
import { loadMigrations } from '../src/migrations/files.js';
import { ensureHistory } from '../src/migrations/runner/history.js';
import {
  applyMigrations,
  migrationStatus,
  rollbackMigrations,
  type RunnerEvent,
} from '../src/migrations/runner/index.js';
import { entryCommand } from './support/entry.js';
import { killTagged, until } from './support/processes.js';
import { freshPostgres, type FreshPostgres } from './support/store.js';

// Integration tests of src/migrations/runner on the real PostgreSQL (127.0.0.1:5432): one fresh
// database and one migrations directory per test, both removed afterwards.

const limits = { lockTimeoutMs: 2_000, statementTimeoutMs: 30_000 };
const childTag = `migrations-runner-${process.pid}`;

let database: FreshPostgres;
let dir: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  database = await freshPostgres({ migrated: false });
  dir = await mkdtemp(join(tmpdir(), 'slipway-runner-'));
});

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.on('exit', resolve));
    }
  }
  killTagged('SLIPWAY_TEST_CHILD', childTag);
  await database.drop();
  await rm(dir, { recursive: true, force: true });
});

/** Writes `NNNN_name.up.sql` / `.down.sql` files (a name ending in .sql is taken literally) and loads the directory. */
async function write(files: Record<string, string>) {
  for (const [name, sql] of Object.entries(files)) await writeFile(join(dir, name), sql);
  return loadMigrations(dir);
}

async function rows<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await database.db.query<T>(sql, params)).rows;
}

async function history() {
  return rows<{
    version: number;
    id: string;
    state: string;
    statements_done: number;
    release: string | null;
    applied_by: string;
    checksum: string;
  }>(
    'select version, id, state, statements_done, release, applied_by, checksum from slipway_migration_history order ' +
      'by version',
  );
}

async function tableExists(name: string): Promise<boolean> {
  return (await rows<{ found: boolean }>('select to_regclass($1) is not null as found', [name]))[0]!.found;
}

async function rejection(promise: Promise<unknown>): Promise<MigrationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected a MigrationError').toBeInstanceOf(MigrationError);
  return error as MigrationError;
}

const basics = {
  '0001_create_vessels.up.sql': 'create table vessels (id int primary key, name text not null);\n',
  '0001_create_vessels.down.sql': 'drop table vessels;\n',
  '0002_add_flag.up.sql': '-- slipway: phase=expand\nalter table vessels add column flag text;\n',
  '0002_add_flag.down.sql': 'alter table vessels drop column flag;\n',
  '0003_seed.up.sql': "insert into vessels (id, name) values (1, 'Kestrel');\n",
  '0003_seed.down.sql': 'delete from vessels where id = 1;\n',
};

describe('apply and status', () => {
  it('shows everything pending on a database never migrated, applies all, then shows them applied', async () => {
    const migrations = await write(basics);
    const before = await migrationStatus({ url: database.url, migrations });
    expect(before.map((r) => [r.id, r.state])).toEqual([
      ['0001_create_vessels', 'pending'],
      ['0002_add_flag', 'pending'],
      ['0003_seed', 'pending'],
    ]);
    expect(await tableExists('slipway_migration_history'), 'status is read-only').toBe(false);

    const events: RunnerEvent[] = [];
    const result = await applyMigrations({
      url: database.url,
      migrations,
      ...limits,
      release: '1.4.0',
      onEvent: (e) => events.push(e),
    });
    expect(result.applied).toEqual(['0001_create_vessels', '0002_add_flag', '0003_seed']);
    expect(result.alreadyApplied).toBe(0);
    expect(events[0]?.type).toBe('lock-acquired');
    expect(events.filter((e) => e.type === 'migration-applied').map((e) => e.migration)).toEqual(result.applied);
    expect(JSON.stringify(events)).not.toContain('postgres://');

    const recorded = await history();
    expect(recorded.map((r) => [r.version, r.state, r.release])).toEqual([
      [1, 'applied', '1.4.0'],
      [2, 'applied', '1.4.0'],
      [3, 'applied', '1.4.0'],
    ]);
    expect(recorded.map((r) => r.checksum)).toEqual(migrations.map((m) => m.checksum));
    expect(recorded[0]!.applied_by).toMatch(new RegExp(`^.+@.+ pid ${process.pid}$`));
    expect(await rows('select name, flag from vessels')).toEqual([{ name: 'Kestrel', flag: null }]);

    const after = await migrationStatus({ url: database.url, migrations });
    expect(after.map((r) => [r.id, r.state, r.checksumOk, r.release])).toEqual([
      ['0001_create_vessels', 'applied', true, '1.4.0'],
      ['0002_add_flag', 'applied', true, '1.4.0'],
      ['0003_seed', 'applied', true, '1.4.0'],
    ]);
    expect(after[0]!.appliedAt).toBeInstanceOf(Date);
  });

  it('applies only up to a target, and a re-apply finds nothing to do', async () => {
    const migrations = await write(basics);
    expect((await applyMigrations({ url: database.url, migrations, ...limits, target: 2 })).applied).toEqual([
      '0001_create_vessels',
      '0002_add_flag',
    ]);
    const rest = await applyMigrations({ url: database.url, migrations, ...limits });
    expect(rest).toMatchObject({ applied: ['0003_seed'], alreadyApplied: 2 });
    const again = await applyMigrations({ url: database.url, migrations, ...limits });
    expect(again).toMatchObject({ applied: [], alreadyApplied: 3 });
    expect(await rows('select count(*)::int as n from vessels')).toEqual([{ n: 1 }]);
    expect((await history()).length).toBe(3);
  });
});

describe('refusals before anything runs', () => {
  it(
    'refuses an edited applied migration as drift, naming the file and both checksums, and applies nothing ' + 'else',
    async () => {
      const first = await write({
        '0001_create_vessels.up.sql': basics['0001_create_vessels.up.sql'],
        '0001_create_vessels.down.sql': basics['0001_create_vessels.down.sql'],
      });
      await applyMigrations({ url: database.url, migrations: first, ...limits });
      const recorded = first[0]!.checksum;

      const edited = await write({
        '0001_create_vessels.up.sql': 'create table vessels (id bigint primary key, name text not null);\n',
        '0002_add_flag.up.sql': basics['0002_add_flag.up.sql'],
        '0002_add_flag.down.sql': basics['0002_add_flag.down.sql'],
      });
      const error = await rejection(applyMigrations({ url: database.url, migrations: edited, ...limits }));
      expect(error.code).toBe('conflict');
      expect(error.message).toContain(join(dir, '0001_create_vessels.up.sql'));
      expect(error.message).toContain(recorded.slice(0, 12));
      expect(error.message).toContain(edited[0]!.checksum.slice(0, 12));
      expect(
        await rows(
          "select column_name from information_schema.columns where table_name = 'vessels' and column_name = 'flag'",
        ),
      ).toEqual([]);
      expect((await history()).map((r) => r.version)).toEqual([1]);

      const status = await migrationStatus({ url: database.url, migrations: edited });
      expect(status.map((r) => [r.id, r.state, r.checksumOk])).toEqual([
        ['0001_create_vessels', 'drift', false],
        ['0002_add_flag', 'pending', true],
      ]);
    },
  );

  it('refuses an applied version whose file is gone, naming it', async () => {
    const migrations = await write(basics);
    await applyMigrations({ url: database.url, migrations, ...limits });
    await unlink(join(dir, '0003_seed.up.sql'));
    await unlink(join(dir, '0003_seed.down.sql'));
    const fewer = loadMigrations(dir);
    const error = await rejection(applyMigrations({ url: database.url, migrations: fewer, ...limits }));
    expect(error.code).toBe('conflict');
    expect(error.message).toContain('0003_seed (version 3)');
    expect((await migrationStatus({ url: database.url, migrations: fewer })).at(-1)).toMatchObject({
      id: '0003_seed',
      state: 'missing-file',
      checksumOk: false,
    });
  });

  it('refuses a pending migration with a syntax error before applying the ones before it', async () => {
    const migrations = await write({
      ...basics,
      '0003_seed.up.sql': "insert into vessels (id, name)\nvalues (1, 'Kestrel'\n;\n",
    });
    const error = await rejection(applyMigrations({ url: database.url, migrations, ...limits }));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toMatch(new RegExp(`^${join(dir, '0003_seed.up.sql')}:3:\\d+: syntax error`));
    expect(await history()).toEqual([]);
    expect(await tableExists('vessels')).toBe(false);
  });
});

describe('a failing transactional migration', () => {
  it('is rolled back whole, names file and line, and keeps the migrations before it', async () => {
    const migrations = await write({
      ...basics,
      '0002_add_flag.up.sql':
        '-- the first statement succeeds, the second fails\ncreate table flags (id int);\n\ninsert into ' +
        'missing_table values (1);\n',
    });
    const events: RunnerEvent[] = [];
    const error = await rejection(
      applyMigrations({ url: database.url, migrations, ...limits, onEvent: (e) => events.push(e) }),
    );
    expect(error.code).toBe('failed');
    expect(error.message).toContain(
      `${join(dir, '0002_add_flag.up.sql')}: relation "missing_table" does not exist (SQLSTATE 42P01) at line 4`,
    );
    expect(error.details).toMatchObject({ line: 4, col: 13 });
    expect(await tableExists('flags')).toBe(false);
    expect(await tableExists('vessels')).toBe(true);
    expect((await history()).map((r) => r.id)).toEqual(['0001_create_vessels']);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['rolled-back', 'migration-failed']));
    expect(
      events.some((e) => e.migration === '0003_seed'),
      'nothing after the failure starts',
    ).toBe(false);
  });

  it('names statement_timeout when it cancels a statement', async () => {
    const migrations = await write({ ...basics, '0002_add_flag.up.sql': 'select pg_sleep(5);\n' });
    const error = await rejection(
      applyMigrations({ url: database.url, migrations, lockTimeoutMs: 1_000, statementTimeoutMs: 200 }),
    );
    expect(error.message).toContain(
      `${join(dir, '0002_add_flag.up.sql')}: canceling statement due to statement timeout (SQLSTATE 57014) at line ` +
        `1 — statement_timeout is 200 ms`,
    );
    expect((await history()).map((r) => r.id)).toEqual(['0001_create_vessels']);
  });
});

describe('the history table', () => {
  it('is created once when several sessions create it at the same moment', async () => {
    const clients = await Promise.all(
      [0, 1, 2, 3].map(async () => {
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        return client;
      }),
    );
    try {
      await Promise.all(clients.map((client) => ensureHistory(client)));
      await Promise.all(clients.map((client) => ensureHistory(client)));
    } finally {
      await Promise.all(clients.map((client) => client.end()));
    }
    expect(await history()).toEqual([]);
  });
});

describe('lock_timeout', () => {
  /** Another session holds ACCESS EXCLUSIVE on vessels for `ms`, then commits. */
  async function holdTableLock(ms: number): Promise<{ released: Promise<void> }> {
    const other = new pg.Client({ connectionString: database.url });
    await other.connect();
    await other.query('begin');
    await other.query('lock table vessels in access exclusive mode');
    const released = new Promise<void>((resolve) => setTimeout(resolve, ms)).then(async () => {
      await other.query('commit');
      await other.end();
    });
    return { released };
  }

  it('retries with backoff until the table lock is granted', async () => {
    const migrations = await write(basics);
    await applyMigrations({ url: database.url, migrations, ...limits, target: 1 });
    const { released } = await holdTableLock(1_000);
    const events: RunnerEvent[] = [];
    const started = Date.now();
    const result = await applyMigrations({
      url: database.url,
      migrations,
      lockTimeoutMs: 100,
      statementTimeoutMs: 10_000,
      retries: { attempts: 8, baseDelayMs: 150 },
      onEvent: (e) => events.push(e),
    });
    await released;
    expect(result.applied).toEqual(['0002_add_flag', '0003_seed']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const retries = events.filter((e) => e.type === 'retry');
    expect(retries.length).toBeGreaterThanOrEqual(1);
    expect(retries[0]!.message).toContain(
      `lock not granted within 100 ms at ${join(dir, '0002_add_flag.up.sql')}:2 (attempt 1 of 8)`,
    );
  });

  it('gives up after the last attempt with a clear message and leaves the history without it', async () => {
    const migrations = await write(basics);
    await applyMigrations({ url: database.url, migrations, ...limits, target: 1 });
    const { released } = await holdTableLock(2_500);
    const events: RunnerEvent[] = [];
    const error = await rejection(
      applyMigrations({
        url: database.url,
        migrations,
        lockTimeoutMs: 100,
        statementTimeoutMs: 10_000,
        retries: { attempts: 2, baseDelayMs: 100 },
        onEvent: (e) => events.push(e),
      }),
    );
    await released;
    expect(error.code).toBe('failed');
    expect(error.message).toContain(join(dir, '0002_add_flag.up.sql'));
    expect(error.message).toContain('SQLSTATE 55P03');
    expect(error.message).toContain('not granted within lock_timeout 100 ms in 2 attempt(s)');
    expect(events.filter((e) => e.type === 'retry')).toHaveLength(1);
    expect((await history()).map((r) => r.id)).toEqual(['0001_create_vessels']);
  });
});

describe('two runners', () => {
  const racing = {
    // The sleep keeps the winner holding the migration lock while the other one asks for it.
    '0001_runs.up.sql': 'create table runs (n int);\nselect pg_sleep(1);\n',
    '0001_runs.down.sql': 'drop table runs;\n',
    '0002_count.up.sql': 'insert into runs values (1);\n',
    '0002_count.down.sql': 'delete from runs;\n',
  };

  it('racing: one applies everything, the other is refused naming the holder', async () => {
    const migrations = await write(racing);
    const events: [RunnerEvent[], RunnerEvent[]] = [[], []];
    const outcomes = await Promise.allSettled(
      events.map((sink) => applyMigrations({ url: database.url, migrations, ...limits, onEvent: (e) => sink.push(e) })),
    );
    const winner = outcomes.findIndex((o) => o.status === 'fulfilled');
    expect(winner, 'exactly one runner succeeds').not.toBe(-1);
    const loser = outcomes[1 - winner]!;
    expect(loser.status).toBe('rejected');
    const error = (loser as PromiseRejectedResult).reason as MigrationError;
    expect(error).toBeInstanceOf(MigrationError);
    expect(error.code).toBe('conflict');
    const holderPid = /server pid (\d+)/.exec(events[winner]![0]!.message)?.[1];
    expect(holderPid).toBeDefined();
    expect(error.message).toContain(
      `migration lock on 127.0.0.1:5432/${new URL(database.url).pathname.slice(1)} is held by pid ${holderPid} ` +
        `(slipway migrate (`,
    );
    expect(error.message).toMatch(/running since \d{4}-\d\d-\d\dT[\d:.]+Z, (active|idle in transaction|idle), query: /);
    expect((outcomes[winner] as PromiseFulfilledResult<{ applied: string[] }>).value.applied).toEqual([
      '0001_runs',
      '0002_count',
    ]);
    expect(await rows('select count(*)::int as n from runs')).toEqual([{ n: 1 }]);
  });

  it('with a wait that runs out, says how long it waited for which holder', async () => {
    const migrations = await write(racing);
    const holder = new pg.Client({ connectionString: database.url, application_name: 'psql (ops)' });
    await holder.connect();
    try {
      // The same key a runner takes (lock.ts), held by something that is not a runner.
      const pid = (
        await holder.query<{ pid: number }>('select pg_backend_pid() as pid, pg_advisory_lock(7192945513865042917)')
      ).rows[0]!.pid;
      const started = Date.now();
      const error = await rejection(applyMigrations({ url: database.url, migrations, ...limits, waitForLockMs: 600 }));
      expect(Date.now() - started).toBeGreaterThanOrEqual(600);
      expect(error.code).toBe('conflict');
      expect(error.message).toContain(
        `is still held after waiting 600 ms by pid ${pid} (psql (ops), client 127.0.0.1:`,
      );
      expect(error.message).toContain(`select pg_terminate_backend(${pid})`);
    } finally {
      await holder.end();
    }
    expect(await tableExists('runs')).toBe(false);
  });

  it('with waitForLockMs the second waits, then finds nothing left to apply', async () => {
    const migrations = await write(racing);
    const results = await Promise.all(
      [0, 1].map(() => applyMigrations({ url: database.url, migrations, ...limits, waitForLockMs: 15_000 })),
    );
    expect(results.map((r) => r.applied.length).sort()).toEqual([0, 2]);
    expect(results.find((r) => r.applied.length === 0)!.alreadyApplied).toBe(2);
    expect(await rows('select count(*)::int as n from runs')).toEqual([{ n: 1 }]);
    expect((await history()).map((r) => r.id)).toEqual(['0001_runs', '0002_count']);
  });

  it('a killed runner leaves no stale lock and nothing half-applied', async () => {
    await write({
      '0001_base.up.sql': 'create table base (id int);\n',
      '0001_base.down.sql': 'drop table base;\n',
      '0002_slow.up.sql': 'create table doomed (id int);\nselect pg_sleep(30);\n',
      '0002_slow.down.sql': 'drop table doomed;\n',
    });
    const [command, args] = entryCommand('test/fixtures/migrate-runner.ts', [dir, '60000']);
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, SLIPWAY_MIGRATE_URL: database.url, SLIPWAY_TEST_CHILD: childTag },
    });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await until(
      'the child runner to start 0002_slow',
      () => output.includes('"type":"migration-started","migration":"0002_slow"'),
      20_000,
    );
    await until(
      'the child to be inside pg_sleep',
      async () =>
        (await rows("select 1 from pg_stat_activity where query like 'select pg_sleep(30)%' and state = 'active'"))
          .length > 0,
      5_000,
    );

    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    const started = Date.now();
    const result = await applyMigrations({
      url: database.url,
      migrations: loadMigrations(dir),
      ...limits,
      target: 1,
      waitForLockMs: 10_000,
    });
    expect(Date.now() - started, 'the lock is free within a few seconds of the kill').toBeLessThan(5_000);
    expect(result).toMatchObject({ applied: [], alreadyApplied: 1 });
    expect(await tableExists('doomed')).toBe(false);
    expect((await history()).map((r) => [r.id, r.state])).toEqual([['0001_base', 'applied']]);
    const status = await migrationStatus({ url: database.url, migrations: loadMigrations(dir) });
    expect(status.map((r) => r.state)).toEqual(['applied', 'pending']);
  });
});

describe('CONCURRENTLY', () => {
  it('a concurrent index build that fails halfway is recorded as partial, then resumed after the fix', async () => {
    const migrations = await write({
      '0001_vessels.up.sql':
        "create table vessels (id int primary key, code text);\ninsert into vessels values (1, 'KST'), (2, 'KST');\n",
      '0001_vessels.down.sql': 'drop table vessels;\n',
      // Statement 1 is not re-runnable on purpose: the resume must skip it.
      '0002_unique_code.up.sql':
        'alter table vessels add column flag boolean;\ncreate unique index concurrently vessels_code_key on vessels ' +
        '(code);\n',
      '0002_unique_code.down.sql':
        'drop index concurrently if exists vessels_code_key;\nalter table vessels drop column flag;\n',
    });
    const file = join(dir, '0002_unique_code.up.sql');
    const error = await rejection(applyMigrations({ url: database.url, migrations, ...limits }));
    expect(error.code).toBe('failed');
    expect(error.message).toContain(
      `${file}: could not create unique index "vessels_code_key" (SQLSTATE 23505) at line 2`,
    );
    expect(error.message).toContain("1 of 2 statement(s) done and recorded as 'partial'");
    expect(error.message).toContain(
      'the INVALID index public.vessels_code_key it left is dropped and rebuilt on the re-run',
    );
    expect((await history()).map((r) => [r.id, r.state, r.statements_done])).toEqual([
      ['0001_vessels', 'applied', 0],
      ['0002_unique_code', 'partial', 1],
    ]);
    const validity = () =>
      rows<{ valid: boolean }>(
        "select indisvalid as valid from pg_index where indexrelid = to_regclass('vessels_code_key')",
      );
    expect(await validity()).toEqual([{ valid: false }]);
    expect((await migrationStatus({ url: database.url, migrations }))[1]).toMatchObject({
      state: 'partial',
      statementsDone: 1,
    });

    const refused = await rejection(rollbackMigrations({ url: database.url, migrations, ...limits }));
    expect(refused.message).toContain(`${file} is only partly applied (1 statement(s)); run apply again`);

    await database.db.query("update vessels set code = 'PTR' where id = 2");
    const events: RunnerEvent[] = [];
    const result = await applyMigrations({ url: database.url, migrations, ...limits, onEvent: (e) => events.push(e) });
    expect(result.applied).toEqual(['0002_unique_code']);
    expect(events.find((e) => e.type === 'invalid-index-dropped')?.message).toContain(
      `dropped the INVALID index public.vessels_code_key left by a failed CREATE INDEX CONCURRENTLY (${file}:2)`,
    );
    expect(await validity()).toEqual([{ valid: true }]);
    expect((await history()).at(-1)).toMatchObject({ id: '0002_unique_code', state: 'applied', statements_done: 2 });
  });

  it('counts a concurrent build that finished before its progress was recorded as done', async () => {
    const migrations = await write({
      '0001_vessels.up.sql': 'create table vessels (id int primary key, code text);\n',
      '0001_vessels.down.sql': 'drop table vessels;\n',
      '0002_code_index.up.sql':
        'alter table vessels add column flag boolean;\ncreate index concurrently vessels_code_idx on vessels (code);\n',
      '0002_code_index.down.sql':
        'drop index concurrently if exists vessels_code_idx;\nalter table vessels drop column flag;\n',
    });
    await applyMigrations({ url: database.url, migrations, ...limits });
    // As if the runner died right after the build, before recording it.
    await database.db.query(
      "update slipway_migration_history set state = 'partial', statements_done = 1 where version = 2",
    );
    const events: RunnerEvent[] = [];
    expect(
      (await applyMigrations({ url: database.url, migrations, ...limits, onEvent: (e) => events.push(e) })).applied,
    ).toEqual(['0002_code_index']);
    expect(events.find((e) => e.type === 'statement-applied')?.message).toContain('statement 2 of 2');
    expect(events.find((e) => e.type === 'statement-applied')?.message).toContain(
      'already in place from an earlier run',
    );
    expect(events.some((e) => e.type === 'invalid-index-dropped')).toBe(false);
    expect((await history()).at(-1)).toMatchObject({ state: 'applied', statements_done: 2 });
  });
});

describe('rollback', () => {
  it('runs down scripts newest first and deletes their history rows', async () => {
    const migrations = await write(basics);
    await applyMigrations({ url: database.url, migrations, ...limits });
    const one = await rollbackMigrations({ url: database.url, migrations, ...limits });
    expect(one.rolledBack).toEqual(['0003_seed']);
    expect(await rows('select count(*)::int as n from vessels')).toEqual([{ n: 0 }]);
    expect((await history()).map((r) => r.version)).toEqual([1, 2]);
    const rest = await rollbackMigrations({ url: database.url, migrations, ...limits, to: 0 });
    expect(rest.rolledBack).toEqual(['0002_add_flag', '0001_create_vessels']);
    expect(await tableExists('vessels')).toBe(false);
    expect(await history()).toEqual([]);
  });

  it('rolls back a CONCURRENTLY down script statement by statement', async () => {
    const migrations = await write({
      '0001_vessels.up.sql':
        'create table vessels (id int primary key, code text);\ncreate index concurrently vessels_code_idx on ' +
        'vessels (code);\n',
      '0001_vessels.down.sql': 'drop index concurrently if exists vessels_code_idx;\ndrop table vessels;\n',
    });
    await applyMigrations({ url: database.url, migrations, ...limits });
    expect(await tableExists('vessels_code_idx')).toBe(true);
    expect((await rollbackMigrations({ url: database.url, migrations, ...limits })).rolledBack).toEqual([
      '0001_vessels',
    ]);
    expect(await tableExists('vessels')).toBe(false);
    expect(await history()).toEqual([]);
  });

  it('refuses an irreversible migration naming its file, before any down script runs', async () => {
    const migrations = await write({
      ...basics,
      '0004_drop_flag.up.sql': '-- slipway: irreversible\nalter table vessels drop column flag;\n',
    });
    await applyMigrations({ url: database.url, migrations, ...limits });
    const error = await rejection(rollbackMigrations({ url: database.url, migrations, ...limits, to: 0 }));
    expect(error.code).toBe('conflict');
    expect(error.message).toContain(`${join(dir, '0004_drop_flag.up.sql')} is irreversible`);
    expect((await history()).map((r) => r.version)).toEqual([1, 2, 3, 4]);
    expect(await rows('select count(*)::int as n from vessels')).toEqual([{ n: 1 }]);
  });

  it('a failing down script is rolled back and the migration stays applied', async () => {
    const migrations = await write({
      ...basics,
      '0003_seed.down.sql': 'delete from vessels where id = 1;\nselect 1 / 0;\n',
    });
    await applyMigrations({ url: database.url, migrations, ...limits });
    const error = await rejection(rollbackMigrations({ url: database.url, migrations, ...limits }));
    expect(error.message).toContain(`${join(dir, '0003_seed.down.sql')}: division by zero (SQLSTATE 22012) at line 2`);
    expect(await rows('select count(*)::int as n from vessels')).toEqual([{ n: 1 }]);
    expect((await history()).map((r) => r.version)).toEqual([1, 2, 3]);
  });
});

describe('an unreachable database', () => {
  it('is named by host:port/db, never with the password', async () => {
    const migrations = await write(basics);
    const url = 'postgres://deployer:s3cret-pw@127.0.0.1:1/harbor';
    for (const attempt of [
      () => applyMigrations({ url, migrations, ...limits }),
      () => migrationStatus({ url, migrations }),
      () => rollbackMigrations({ url, migrations, ...limits }),
    ]) {
      const error = await rejection(attempt());
      expect(error.code).toBe('unavailable');
      expect(error.message).toBe('cannot reach PostgreSQL at 127.0.0.1:1/harbor: connection refused');
      expect(JSON.stringify(error.details)).not.toContain('s3cret');
    }
  });
});
