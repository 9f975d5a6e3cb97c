import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import type { Db } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { dumpPglite, openPglite } from '../../src/store/pglite-driver.js';
import { openPostgres } from '../../src/store/postgres-driver.js';
import { pooledPglite } from './pglite-pool.js';
import { pooledPostgres } from './postgres-pool.js';
import { loadMigrations } from '../../src/store/schema-files.js';
import { repoRoot } from './entry.js';

/**
 * Fresh databases for tests. PGlite: initdb costs seconds, so a template (empty, or with
 * Slipway's schema) is built once, cached on disk keyed by the schema and PGlite version, and
 * every call loads a clone of it. PostgreSQL: one new database per call on the test server.
 */

/** The server the PostgreSQL variants use. */
export const testDatabaseUrl = process.env.SLIPWAY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

type TemplateKind = 'migrated' | 'empty';
const templates = new Map<TemplateKind, Promise<Blob>>();
const cacheDir = join(repoRoot, 'node_modules', '.cache', 'slipway-test');

/** A new in-memory PGlite database (with Slipway's schema unless `migrated: false`); close it when done. */
export async function freshPglite(options: { migrated?: boolean } = {}): Promise<Db> {
  // Migrated databases are reset and reused within this process (pglite-pool.ts); empty ones get a schema of the
  // test's own, so each is a new PGlite.
  if (options.migrated === false) return openPglite({ loadDataDir: await pgliteTemplate('empty') });
  return pooledPglite(await pgliteTemplate('migrated'));
}

/** The tarball every fresh PGlite database is loaded from (also for `openPglite({ dataDir, loadDataDir })`). */
export function pgliteTemplate(kind: TemplateKind = 'migrated'): Promise<Blob> {
  let template = templates.get(kind);
  if (!template) {
    template = loadOrBuildTemplate(kind);
    templates.set(kind, template);
    template.catch(() => templates.delete(kind));
  }
  return template;
}

async function loadOrBuildTemplate(kind: TemplateKind): Promise<Blob> {
  const file = join(cacheDir, `pglite-${kind}-${await templateKey(kind)}.tar`);
  const cached = await readFile(file).catch(() => undefined);
  if (cached) return new Blob([cached]);
  const db = await openPglite();
  let dump: Blob;
  try {
    if (kind === 'migrated') await migrate(db);
    dump = await dumpPglite(db);
  } finally {
    await db.close();
  }
  // Written beside and renamed: test processes building the same template at once never read
  // half a file. Best effort: a read-only node_modules only costs the next process a rebuild.
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    await mkdir(cacheDir, { recursive: true });
    await writeFile(tmp, Buffer.from(await dump.arrayBuffer()));
    await rename(tmp, file);
    // Templates of earlier schema versions are dead weight (~28 MB each).
    for (const old of await readdir(cacheDir)) {
      if (old.startsWith(`pglite-${kind}-`) && old.endsWith('.tar') && join(cacheDir, old) !== file)
        await rm(join(cacheDir, old), { force: true });
    }
  } catch {
    await rm(tmp, { force: true }).catch(() => undefined);
  }
  return dump;
}

async function templateKey(kind: TemplateKind): Promise<string> {
  const hash = createHash('sha256').update(kind);
  const pglitePackage = JSON.parse(
    await readFile(join(repoRoot, 'node_modules/@electric-sql/pglite/package.json'), 'utf8'),
  ) as { version: string };
  hash.update(pglitePackage.version);
  if (kind === 'migrated') for (const m of await loadMigrations()) hash.update(`${m.file}:${m.checksum}`);
  return hash.digest('hex').slice(0, 16);
}

/**
 * A fresh migrated database for a test whose subject is not the store itself: a copy of the PostgreSQL
 * template (tenths of a second of the server's time, where a PGlite instance costs this process a second of
 * CPU and its queries run in WebAssembly). `close()` drops it. The store's own tests use both drivers.
 */
export async function freshDb(): Promise<Db> {
  const fresh = await freshPostgres();
  const { db } = fresh;
  const view: Db = {
    driver: db.driver,
    query: (sql, params) => db.query(sql, params),
    exec: (script) => db.exec(script),
    transaction: (fn) => db.transaction(fn),
    background: () => view,
    deployment: () => view,
    close: fresh.drop,
  };
  return view;
}

/**
 * A fresh database on the test PostgreSQL server: its URL, a Db on it, and `drop()` to close the Db and drop the
 * database (a migrated one is reset for the next test instead: postgres-pool.ts).
 */
export interface FreshPostgres {
  db: Db;
  url: string;
  drop(): Promise<void>;
}

/** A database on the test server that only has a URL (another process opens it); `drop()` removes it. */
export interface PostgresDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Create a uniquely named database on the test server (migrated unless `migrated: false`), unopened. */
export async function createPostgresDatabase(options: { migrated?: boolean } = {}): Promise<PostgresDatabase> {
  const name = `slipway_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  // A migrated database is a copy of a template migrated once per schema: a copy costs the server ~0.1 s, the
  // migrations ~0.5 s of this process's CPU each time. Names are generated here, never taken from input.
  const template = options.migrated !== false ? await postgresTemplate() : undefined;
  await withAdmin((admin) => admin.query(`create database "${name}"${template ? ` template "${template}"` : ''}`));
  let dropped: Promise<void> | undefined;
  const drop = () =>
    (dropped ??= withAdmin((admin) => admin.query(`drop database if exists "${name}" with (force)`)).then(
      () => undefined,
    ));
  return { url: databaseUrl(name), drop };
}

/** Create a uniquely named database on the test server (migrated unless `migrated: false`), opened. */
export async function freshPostgres(options: { migrated?: boolean } = {}): Promise<FreshPostgres> {
  // Migrated databases are reset and reused within this process (postgres-pool.ts); empty ones get a schema of the
  // test's own, so each is created and dropped.
  const { database, release } =
    options.migrated === false
      ? await createPostgresDatabase(options).then((d) => ({ database: d, release: d.drop }))
      : await pooledPostgres(() => createPostgresDatabase());
  let db: Db;
  try {
    db = await openPostgres(database.url);
  } catch (e) {
    await release();
    throw e;
  }
  const opened = db;
  let dropped: Promise<void> | undefined;
  return { db: opened, url: database.url, drop: () => (dropped ??= opened.close().then(release)) };
}

let template: Promise<string> | undefined;

/**
 * The name of a database on the test server with Slipway's schema, named after the schema files (so a
 * schema change gets a new one). Built once under an advisory lock, as `<name>_building` then renamed:
 * test processes starting at once wait for one build, and none ever copies a half-migrated template.
 */
function postgresTemplate(): Promise<string> {
  template ??= (async () => {
    const name = `slipway_template_${await templateKey('migrated')}`;
    await withAdmin(async (admin) => {
      await admin.query('select pg_advisory_lock(hashtext($1))', [name]);
      try {
        const found = await admin.query('select 1 from pg_database where datname = $1', [name]);
        if (found.rowCount) return;
        const building = `${name}_building`;
        await admin.query(`drop database if exists "${building}" with (force)`);
        await admin.query(`create database "${building}"`);
        const db = await openPostgres(databaseUrl(building));
        try {
          await migrate(db);
        } finally {
          await db.close();
        }
        await admin.query(`alter database "${building}" rename to "${name}"`);
      } finally {
        await admin.query('select pg_advisory_unlock(hashtext($1))', [name]);
      }
    });
    return name;
  })();
  template.catch(() => {
    template = undefined;
  });
  return template;
}

/** The test server's URL with another database name. */
export function databaseUrl(database: string): string {
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Throw one clear line when the test PostgreSQL server does not answer. */
export async function assertPostgresReachable(): Promise<void> {
  await withAdmin(async () => undefined);
}

async function withAdmin<T>(fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: testDatabaseUrl, connectionTimeoutMillis: 10_000 });
  try {
    await admin.connect();
  } catch (e) {
    const url = new URL(testDatabaseUrl);
    throw new Error(
      `PostgreSQL is not reachable at ${url.hostname}:${url.port || 5432} — start it or set ` +
        `SLIPWAY_TEST_DATABASE_URL (${(e as Error).message})`,
    );
  }
  try {
    return await fn(admin);
  } finally {
    await admin.end().catch(() => undefined);
  }
}

/** The schema versions this build ships, as rows of slipway_schema_migrations ([{ version: 1 }, …]). */
export async function shippedVersions(): Promise<{ version: number }[]> {
  return (await loadMigrations()).map((m) => ({ version: m.version }));
}

/**
 * Drop the test databases of processes that have ended (their pid is in the name) and of this one: the pools keep
 * databases until the process ends (postgres-pool.ts). A test run that is still going keeps its own.
 */
export async function dropLeftoverDatabases(options: { ownToo: boolean }): Promise<number> {
  return withAdmin(async (admin) => {
    const { rows } = await admin.query<{ datname: string }>(
      "select datname from pg_database where datname like 'slipway\\_test\\_%'",
    );
    let dropped = 0;
    for (const { datname } of rows) {
      const pid = Number(/^slipway_test_(\d+)_[0-9a-f]+$/.exec(datname)?.[1]);
      if (!pid || (pid === process.pid ? !options.ownToo : isAlive(pid))) continue;
      await admin.query(`drop database if exists "${datname}" with (force)`);
      dropped++;
    }
    return dropped;
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
