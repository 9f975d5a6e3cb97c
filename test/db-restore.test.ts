import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgres, type FreshPostgres } from './support/store.js';
import { until } from './support/processes.js';
import { System } from './support/system.js';

/**
 * The database's safety net, end to end: a real coordinator backs up a real PostgreSQL (pg_dump)
 * before each release's migrations, runs the project's integrity checks after them, fails the
 * release when one is not true — traffic stays on the release before — and `slipway db restore`
 * brings the data back to the state before the bad release.
 */
let database: FreshPostgres;
let system: System;
let client: pg.Client;

const vessels = {
  up:
    'create table vessels (id bigint generated always as identity primary key, name text not null, ' +
    'tonnage integer);\n',
  down: 'drop table vessels;\n',
};
// A data migration with a bug: it flips the sign instead of converting units.
const convert = {
  up:
    '-- slipway: phase=expand\n-- slipway: irreversible\n' +
    'update vessels set tonnage = -tonnage where tonnage is not null;\n',
  down: null,
};

function release(version: string, migrations: Record<string, { up: string; down: string | null }>): void {
  const dir = path.join(system.workspace.dir, 'releases', version, 'migrations');
  mkdirSync(dir, { recursive: true });
  for (const [id, m] of Object.entries(migrations)) {
    writeFileSync(path.join(dir, `${id}.up.sql`), m.up);
    if (m.down !== null) writeFileSync(path.join(dir, `${id}.down.sql`), m.down);
  }
}

const tonnage = async () =>
  (await client.query('select name, tonnage from vessels order by id')).rows as { name: string; tonnage: number }[];
const applied = async () =>
  (await client.query('select id from slipway_migration_history order by version')).rows.map((r) => r.id as string);

beforeAll(async () => {
  database = await freshPostgres({ migrated: false });
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  system = await System.start({
    instances: 1,
    strategy: '{ type: blue-green }',
    extraTopLevel:
      `database: { url: "${database.url}", migrations: "releases/{version}/migrations", lockTimeout: 1s, ` +
      // The second check is slow while a table named slow_checks exists: the window a test kills the coordinator in.
      `integrityChecks: ["select count(*) = 0 from vessels where tonnage < 0", ` +
      `"select case when to_regclass('slow_checks') is null then true else pg_sleep(8) is not null end"] }`,
  });
  release('1.0.0', { '0001_vessels': vessels });
  release('1.1.0', { '0001_vessels': vessels, '0002_convert': convert });
}, 120_000);

afterAll(async () => {
  await system?.close();
  await client?.end().catch(() => undefined);
  await database?.drop();
}, 120_000);

describe('backups, integrity checks and restore', () => {
  it('a release that breaks an integrity check fails before traffic moves; db restore undoes it', async () => {
    const first = await system.deployed('1.0.0');
    expect(first.state).toBe('succeeded');
    await client.query("insert into vessels (name, tonnage) values ('Aurora', 52000), ('Borealis', 31000)");

    const bad = await system.deployed('1.1.0');
    expect(bad.state).toBe('failed');
    expect(bad.reason).toMatch(/integrity check failed after the migrations of 1\.1\.0: #1 \(select count\(\*\) = 0/);
    expect(bad.reason).toMatch(/slipway db restore --release 1\.1\.0 --env staging/);
    const { events } = await system.client.call<{ events: { kind: string; message: string }[] }>(
      'GET',
      `/api/v1/events?deployment=${bad.id}&limit=500`,
    );
    expect(events.find((e) => e.kind === 'migration.backup')?.message).toMatch(
      /^backed up 127\.0\.0\.1:\d+\/\S+ before the migrations of 1\.1\.0: .+ in \d+ ms \(whole database; backup /,
    );
    expect(events.find((e) => e.kind === 'migration.integrity.failed')?.message).toMatch(
      /rows public\.vessels 2 → 2; 1 of 2 integrity checks passed/,
    );
    // The bad migration stays applied until a person restores; traffic never left 1.0.0.
    expect(await tonnage()).toEqual([
      { name: 'Aurora', tonnage: -52000 },
      { name: 'Borealis', tonnage: -31000 },
    ]);
    const status = JSON.parse((await system.cli(['status', '--json'])).stdout);
    const svc = status.environments.find((e: { name: string }) => e.name === 'staging').services[0];
    expect(svc.traffic).toEqual([{ release: '1.0.0', role: 'stable', weight: 100 }]);

    const listed = await system.cli(['db', 'backups', '--env', 'staging']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^BACKUP +BEFORE +TAKEN +SIZE +TOOK +SCOPE +MIGRATED\n/);
    expect(
      listed.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(/\s+/)[1]),
    ).toEqual(['1.1.0', '1.0.0']);

    // 1.0.0 is the live release: restoring the state before it would pull the schema out from under it.
    const live = await system.cli(['db', 'restore', '--release', '1.0.0', '--env', 'staging']);
    expect(live.code).toBe(5);
    expect(live.stderr).toMatch(/1\.0\.0 is the live release of quote-api in staging.*roll back first/);

    const restored = await system.cli(['db', 'restore', '--release', '1.1.0', '--env', 'staging']);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/^restored 127\.0\.0\.1:\d+\/\S+ in staging to the state before 1\.1\.0 \(backup /);
    expect(await tonnage()).toEqual([
      { name: 'Aurora', tonnage: 52000 },
      { name: 'Borealis', tonnage: 31000 },
    ]);
    expect(await applied()).toEqual(['0001_vessels']);
    const audit = await system.cli(['audit', 'export', '--since', new Date().toISOString().slice(0, 10)]);
    const restore = audit.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((e) => e.action === 'backup.restore' && e.status === 200);
    expect(restore?.after).toMatchObject({ release: '1.1.0', forced: false, discardedRows: 0 });
  }, 180_000);

  it('a coordinator killed between the migrations and their checks runs the checks when it resumes', async () => {
    release('1.2.0', { '0001_vessels': vessels, '0002_convert': convert });
    await client.query('create table slow_checks ()');
    const d = await system.deploy('1.2.0');
    const events = async () =>
      (
        await system.client.call<{ events: { kind: string; message: string }[] }>(
          'GET',
          `/api/v1/events?deployment=${d.id}&limit=500`,
        )
      ).events;
    await until(
      'the migrations of 1.2.0 to be applied',
      async () => (await applied()).includes('0002_convert'),
      60_000,
    );
    await system.killCoordinator(); // during the slow check: nothing verified the data yet
    await client.query('drop table slow_checks');
    await system.startCoordinator();
    const final = await system.finish(d.id);
    expect(final.state).toBe('failed');
    expect(final.reason).toMatch(/integrity check failed after the migrations of 1\.2\.0: #1 /);
    // Checked once, by the coordinator that resumed the deployment (the first was killed during the check).
    const checks = (await events()).filter((e) => /^migration\.(verified|integrity\.failed)$/.test(e.kind));
    expect(checks.map((e) => e.kind)).toEqual(['migration.integrity.failed']);
    expect(checks[0]!.message).toMatch(/1 of 2 integrity checks passed/);
    const status = JSON.parse((await system.cli(['status', '--json'])).stdout);
    const svc = status.environments.find((e: { name: string }) => e.name === 'staging').services[0];
    expect(svc.traffic).toEqual([{ release: '1.0.0', role: 'stable', weight: 100 }]);
    const restored = await system.cli(['db', 'restore', '--release', '1.2.0', '--env', 'staging']);
    expect(restored.code, restored.stderr).toBe(0);
    expect(await applied()).toEqual(['0001_vessels']);
  }, 180_000);

  it('a viewer may list backups but not restore one; the refusal is audited', async () => {
    const viewer = await system.cli(['tokens', 'create', '--name', 'reader', '--grant', 'viewer:*', '--json']);
    expect(viewer.code, viewer.stderr).toBe(0);
    const token = JSON.parse(viewer.stdout).secret as string;
    expect(token).toMatch(/^slw_/);
    const list = await system.cli(['db', 'backups', '--env', 'staging', '--json'], token);
    expect(list.code, list.stderr).toBe(0);
    const denied = await system.cli(['db', 'restore', '--release', '1.1.0', '--env', 'staging'], token);
    expect(denied.code).toBe(4);
    expect(denied.stderr).toMatch(/admin/);
    const audit = await system.cli(['audit', 'export', '--since', new Date().toISOString().slice(0, 10)]);
    const refused = audit.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.action === 'backup.restore' && e.outcome === 'denied');
    expect(refused.map((e) => [e.actor.split(' ')[0], e.status])).toEqual([['reader', 403]]);
    const bad = await system.cli(['db', 'restore', '--env', 'staging']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/give --release VERSION or --backup ID/);
  }, 120_000);
});
