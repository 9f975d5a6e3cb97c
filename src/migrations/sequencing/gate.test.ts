import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rawConfig } from '../../../test/support/config.js';
import { assertPostgresReachable, freshPostgres, type FreshPostgres } from '../../../test/support/store.js';
import { validateConfigObject } from '../../config/validate.js';
import { silentLogger } from '../../shared/logging.js';
import { insertDeployment, updateDeployment } from '../../store/repos/deployments.js';
import { appendEvent, type NewEvent } from '../../store/repos/events.js';
import { upsertProject } from '../../store/repos/projects.js';
import { insertReleaseIfAbsent } from '../../store/repos/releases.js';
import { setStable } from '../../store/repos/service-state.js';
import { loadMigrations } from '../files.js';
import { applyMigrations } from '../runner/apply.js';
import { MigrationSequencer } from './gate.js';

let store: FreshPostgres | undefined;
let app: FreshPostgres | undefined;
let dir: string | undefined;
afterEach(async () => {
  await store?.drop();
  await app?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  store = app = dir = undefined;
});
beforeAll(assertPostgresReachable);

/** A store, an application database and a workspace, with the project stored (its migrations per release). */
async function storedProject() {
  const db = await freshPostgres();
  const appDb = await freshPostgres({ migrated: false });
  [store, app] = [db, appDb];
  dir = mkdtempSync(path.join(tmpdir(), 'slipway-gate-'));
  const raw = rawConfig();
  raw.database = { url: appDb.url, migrations: 'releases/{version}/migrations' };
  const config = validateConfigObject(raw, { baseDir: dir });
  await upsertProject(db.db, config.project, config, 'digest-1');
  return { config, store: db, app: appDb };
}

function release(version: string, files: Record<string, string>): string {
  const migrations = path.join(dir!, 'releases', version, 'migrations');
  mkdirSync(migrations, { recursive: true });
  for (const [name, sql] of Object.entries(files)) writeFileSync(path.join(migrations, name), sql);
  return migrations;
}

describe('the contract sweep', () => {
  it('leaves a service alone while its deployment is in flight: the new release has applied migrations the stable ' +
    "release's files do not know, which is not drift", async () => {
    const { config, store, app } = await storedProject();
    const vessels = {
      '0001_vessels.up.sql': 'create table vessels (id bigint primary key);\n',
      '0001_vessels.down.sql': 'drop table vessels;\n',
    };
    release('1.0.0', vessels);
    const v2 = release('2.0.0', {
      ...vessels,
      '0002_flag.up.sql': '-- slipway: phase=expand\nalter table vessels add column flag text;\n',
      '0002_flag.down.sql': 'alter table vessels drop column flag;\n',
    });
    const spec = { command: 'node', args: [], cwd: dir, env: {} };
    for (const version of ['1.0.0', '2.0.0']) {
      await insertReleaseIfAbsent(store.db, {
        id: `rel_${version}`,
        project: config.project,
        service: 'api',
        version,
        spec: spec as never,
        digest: `d${version}`,
      });
    }
    await setStable(store.db, config.project, 'staging', 'api', 'rel_1.0.0');
    // 2.0.0 is being deployed and its expand ran (as after a coordinator restart mid-deployment).
    await applyMigrations({
      url: app.url,
      migrations: loadMigrations(v2),
      target: 2,
      lockTimeoutMs: 2000,
      statementTimeoutMs: 60_000,
    });
    await insertDeployment(store.db, {
      id: 'dep_2',
      project: config.project,
      service: 'api',
      environment: 'staging',
      kind: 'deploy',
      fromRelease: 'rel_1.0.0',
      toRelease: 'rel_2.0.0',
      strategy: 'blue-green',
      plan: { steps: [] } as never,
      requestedBy: 'dana',
      settings: {} as never,
      state: 'running',
    });
    const emitted: NewEvent[] = [];
    const gate = new MigrationSequencer(store.db, { emit: async (e) => emitted.push(e) }, silentLogger);
    await gate.sweep(); // the first sweep after a start: it scans the stable releases
    await gate.sweep();
    expect(emitted.map((e) => `${e.kind}: ${e.message}`)).toEqual([]);
    // The deployment ends (2.0.0 stable): the entry of 1.0.0 is stale and goes without a word.
    await updateDeployment(store.db, 'dep_2', { state: 'succeeded', finished: true });
    await setStable(store.db, config.project, 'staging', 'api', 'rel_2.0.0');
    await gate.sweep();
    expect(emitted).toEqual([]);
  }, 60_000);
});

describe('expand, resumed', () => {
  it('returns what the deployment applied when its step stopped after the checks but before recording it', async () => {
    const { config, store, app } = await storedProject();
    const v2 = release('2.0.0', {
      '0001_vessels.up.sql': 'create table vessels (id bigint primary key);\n',
      '0001_vessels.down.sql': 'drop table vessels;\n',
      '0002_flag.up.sql': '-- slipway: phase=expand\nalter table vessels add column flag text;\n',
      '0002_flag.down.sql': 'alter table vessels drop column flag;\n',
    });
    await applyMigrations({
      url: app.url,
      migrations: loadMigrations(v2),
      target: 2,
      lockTimeoutMs: 2000,
      statementTimeoutMs: 60_000,
    });
    // What the first run of the step wrote before its write of the deployment's progress was refused (the lease
    // had lapsed on a starved coordinator, seen in CI): the migrations applied, then the checks.
    const about = { project: config.project, deploymentId: 'dep_2', service: 'api', environment: 'staging' };
    for (const migration of ['0001_vessels', '0002_flag'])
      await appendEvent(store.db, {
        ...about,
        kind: 'migration.migration-applied',
        message: migration,
        data: { migration },
      });
    await appendEvent(store.db, { ...about, kind: 'migration.verified', message: 'checked', data: {} });
    const emitted: string[] = [];
    const gate = new MigrationSequencer(store.db, { emit: async () => undefined }, silentLogger);
    const applied = await gate.expand({
      deployment: { id: 'dep_2', project: config.project, environment: 'staging', service: 'api' } as never,
      release: { version: '2.0.0' } as never,
      emit: async (kind) => void emitted.push(kind),
      signal: new AbortController().signal,
    });
    expect(applied).toEqual(['0001_vessels', '0002_flag']);
    // Nothing ran again: the checks were done.
    expect(emitted.filter((k) => k !== 'migration.checked')).toEqual([]);
  }, 60_000);
});
