import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigWithRaw } from '../src/config/load.js';
import { until } from './support/processes.js';
import { freshPostgres, type FreshPostgres } from './support/store.js';
import { System } from './support/system.js';

/**
 * Migrations sequenced with deployments, end to end: a real coordinator deploying real
 * instances, migrating a real PostgreSQL. Each release carries its own migrations directory
 * (releases/{version}/migrations), as a build artefact would.
 */
let database: FreshPostgres;
let system: System;
let client: pg.Client;

const vessels = {
  up:
    'create table vessels (id bigint generated always as identity primary key, name text not null, tonnage ' +
    'integer);\n',
  down: 'drop table vessels;\n',
};
const addFlag = {
  up: '-- slipway: phase=expand\nalter table vessels add column flag text;\n',
  down: 'alter table vessels drop column flag;\n',
};
// Irreversible: re-adding the column would put it last and empty; the shadow dry run says so.
const dropTonnage = {
  up: '-- slipway: phase=contract after=2.0.0\n-- slipway: irreversible\nalter table vessels drop column tonnage;\n',
  down: null,
};
const uniqueName = {
  up:
    "set lock_timeout = '1s';\n-- slipway: allow add-unique-without-using-index because vessels is small\nalter " +
    'table vessels add constraint vessels_name_key unique (name);\n',
  down: 'alter table vessels drop constraint vessels_name_key;\n',
};
// A down that loses nothing (an index), so a rollback may revert it; dropping a column would not be.
const nameIndex = {
  up: '-- slipway: phase=expand\ncreate index concurrently vessels_name_idx on vessels (name);\n',
  down: 'drop index concurrently vessels_name_idx;\n',
};
const renameName = {
  up: 'alter table vessels rename column name to vessel_name;\n',
  down: 'alter table vessels rename column vessel_name to name;\n',
};

function release(version: string, migrations: Record<string, { up: string; down: string | null }>): void {
  const dir = path.join(system.workspace.dir, 'releases', version, 'migrations');
  mkdirSync(dir, { recursive: true });
  for (const [id, m] of Object.entries(migrations)) {
    writeFileSync(path.join(dir, `${id}.up.sql`), m.up);
    if (m.down !== null) writeFileSync(path.join(dir, `${id}.down.sql`), m.down);
  }
}

async function history(): Promise<{ id: string; release: string | null }[]> {
  const { rows } = await client.query('select id, release from slipway_migration_history order by version');
  return rows;
}

async function columns(): Promise<string[]> {
  const { rows } = await client.query(
    "select column_name from information_schema.columns where table_name = 'vessels' order by ordinal_position",
  );
  return rows.map((r) => r.column_name as string);
}

function slipway(args: string[]) {
  return system.cli(args);
}

async function eventsOf(id: string): Promise<{ kind: string; message: string }[]> {
  const { events } = await system.client.call<{ events: { kind: string; message: string }[] }>(
    'GET',
    `/api/v1/events?deployment=${id}&limit=500`,
  );
  return events;
}

function timeline(events: { kind: string; message: string }[]): string {
  return events.map((e) => `${e.kind}: ${e.message}`).join('\n');
}

beforeAll(async () => {
  database = await freshPostgres({ migrated: false });
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  system = await System.start({
    instances: 1,
    strategy: '{ type: blue-green, keepOldFor: 20s }',
    extraTopLevel: `database: { url: "${database.url}", migrations: "releases/{version}/migrations", lockTimeout: 1s }`,
  });
  release('1.0.0', { '0001_vessels': vessels });
  release('2.0.0', { '0001_vessels': vessels, '0002_add_flag': addFlag, '0003_drop_tonnage': dropTonnage });
  release('2.1.0', {
    '0001_vessels': vessels,
    '0002_add_flag': addFlag,
    '0003_drop_tonnage': dropTonnage,
    '0004_rename_name': renameName,
  });
  release('2.2.0', {
    '0001_vessels': vessels,
    '0002_add_flag': addFlag,
    '0003_drop_tonnage': dropTonnage,
    '0004_unique_name': uniqueName,
  });
  release('2.3.0', {
    '0001_vessels': vessels,
    '0002_add_flag': addFlag,
    '0003_drop_tonnage': dropTonnage,
    '0004_name_index': nameIndex,
  });
  release('2.4.0', {
    '0001_vessels': vessels,
    '0002_add_flag': addFlag,
    '0003_drop_tonnage': dropTonnage,
    '0004_name_index': nameIndex,
  });
}, 120_000);

afterAll(async () => {
  await system?.close();
  await client?.end().catch(() => undefined);
  await database?.drop();
}, 120_000);

describe('migrations ship with releases', () => {
  it('a first release applies its migrations before its instances start, each step in the deployment ' +
    'events', async () => {
    const d = await system.deployed('1.0.0');
    expect({ state: d.state, reason: d.reason }).toEqual({ state: 'succeeded', reason: null });
    expect(await history()).toEqual([{ id: '0001_vessels', release: '1.0.0' }]);
    const events = await eventsOf(d.id);
    const kinds = events.map((e) => e.kind);
    expect(kinds).toContain('migration.checked');
    expect(kinds).toContain('migration.migration-applied');
    // Expand before any instance: the migration events come before the first instance starts.
    expect(kinds.indexOf('migration.migration-applied')).toBeLessThan(
      kinds.findIndex((k) => k.startsWith('instance.')),
    );
  }, 120_000);

  it('expand runs with the deployment; the contract waits while the old release is live, and runs once it is ' +
    'stopped', async () => {
    const d = await system.deployed('2.0.0');
    expect({ state: d.state, reason: d.reason }).toEqual({ state: 'succeeded', reason: null });
    expect((await history()).map((h) => h.id)).toEqual(['0001_vessels', '0002_add_flag']);
    const events = await eventsOf(d.id);
    const waiting = events.find((e) => e.kind === 'migration.contract.waiting');
    // On failure, the deployment's timeline says what happened instead (a contract that failed, or ran at once).
    expect(waiting?.message, timeline(events)).toMatch(/0003_drop_tonnage waits: 1\.0\.0 \(staging: 1 instance\)/);
    const status = await slipway(['migrate', 'status', '--env', 'staging', '--version', '2.0.0']);
    expect(status.stdout).toMatch(/0003_drop_tonnage.*blocked by 1\.0\.0 \(staging: 1 instance\)/);
    // keepOldFor 20s (long enough for a machine at load 15 to ask status first; 8 s was not): the warm 1.0.0
    // instance is retired, then the sweep applies the contract.
    await until('the contract migration to run', async () => (await history()).length === 3, 60_000);
    expect(await columns()).toEqual(['id', 'name', 'flag']);
    expect((await history()).at(-1)).toEqual({ id: '0003_drop_tonnage', release: '2.0.0' });
  }, 120_000);

  it('a breaking statement not split into expand/contract fails the deployment before any instance starts; traffic ' +
    'stays', async () => {
    const d = await system.deployed('2.1.0');
    expect(d.state).toBe('failed');
    expect(d.reason).toMatch(/no instance of it was started/);
    expect(d.reason).toMatch(/0004_rename_name\.up\.sql:1:1 rename-column \(breaking\)/);
    expect(d.reason).toMatch(/expand/i);
    expect(await columns()).toEqual(['id', 'name', 'flag']);
    const { instances } = await system.client.call<{ instances: { release: string }[] }>(
      'GET',
      '/api/v1/instances?environment=staging',
    );
    expect(instances.map((i) => i.release)).not.toContain('2.1.0');
    const status = JSON.parse((await slipway(['status', '--json'])).stdout);
    const svc = status.environments.find((e: { name: string }) => e.name === 'staging').services[0];
    expect(svc.traffic).toEqual([{ release: '2.0.0', role: 'stable', weight: 100 }]);
  }, 120_000);

  it('a migration that fails on the real data is rolled back whole; the deployment stops before any instance ' +
    'starts', async () => {
    await client.query("insert into vessels (name) values ('Nordic Star'), ('Nordic Star')");
    const d = await system.deployed('2.2.0');
    expect(d.state).toBe('failed');
    expect(d.reason).toMatch(/0004_unique_name/);
    expect(d.reason).toMatch(/could not create unique index|duplicate/i);
    expect((await history()).map((h) => h.id)).toEqual(['0001_vessels', '0002_add_flag', '0003_drop_tonnage']);
    const { rows } = await client.query("select conname from pg_constraint where conname = 'vessels_name_key'");
    expect(rows).toEqual([]);
    const { instances } = await system.client.call<{ instances: { release: string }[] }>(
      'GET',
      '/api/v1/instances?environment=staging',
    );
    expect(instances.map((i) => i.release)).not.toContain('2.2.0');
  }, 120_000);

  it('with revertOnRollback, a release that never becomes healthy takes its (lossless) expand migration back with ' +
    'it', async () => {
    const file = system.workspace.configPath;
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('lockTimeout: 1s }', 'lockTimeout: 1s, revertOnRollback: true }'),
    );
    const { config, raw } = await loadConfigWithRaw(file);
    await system.client.call('PUT', `/api/v1/projects/${config.project}`, { config: raw, baseDir: config.baseDir });
    const d = await system.deployed('2.3.0', { set: { CRASH_ON_START: '1' } });
    expect(d.state).toBe('failed');
    const events = await eventsOf(d.id);
    const kinds = events.map((e) => e.kind);
    expect(kinds).toContain('migration.migration-applied');
    expect(events.find((e) => e.kind === 'migration.reverted')?.message).toBe(
      'reverted expand migrations 0004_name_index (database.revertOnRollback)',
    );
    // Reverted only once no candidate instance runs.
    expect(kinds.lastIndexOf('instance.stopped')).toBeLessThan(kinds.indexOf('migration.reverted'));
    const { rows } = await client.query(
      "select indexname from pg_indexes where tablename = 'vessels' and indexname = 'vessels_name_idx'",
    );
    expect(rows).toEqual([]);
    expect((await history()).map((h) => h.id)).toEqual(['0001_vessels', '0002_add_flag', '0003_drop_tonnage']);
  }, 120_000);

  it('with revertOnRollback, rolling back a release that succeeded takes its expand migration back once it is ' +
    'stopped', async () => {
    const d = await system.deployed('2.4.0');
    expect(d.state).toBe('succeeded');
    expect((await history()).at(-1)?.id).toBe('0004_name_index');
    const back = await slipway(['rollback', 'quote-api', '--env', 'staging']);
    expect(back.code, back.stderr).toBe(0);
    const { deployments } = await system.client.call<{ deployments: { id: string; kind: string }[] }>(
      'GET',
      '/api/v1/deployments?service=quote-api&environment=staging&limit=1',
    );
    expect(deployments[0]!.kind).toBe('rollback');
    const events = await eventsOf(deployments[0]!.id);
    const kinds = events.map((e) => e.kind);
    expect(events.find((e) => e.kind === 'migration.reverted')?.message).toBe(
      'reverted expand migrations 0004_name_index (database.revertOnRollback)',
    );
    expect(kinds.lastIndexOf('instance.stopped')).toBeLessThan(kinds.indexOf('migration.reverted'));
    expect((await history()).map((h) => h.id)).toEqual(['0001_vessels', '0002_add_flag', '0003_drop_tonnage']);
  }, 120_000);
});
