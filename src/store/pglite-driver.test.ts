import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pgliteTemplate } from '../../test/support/store.js';
import type { Db } from './db.js';
import { StoreError } from './errors.js';
import { openPglite } from './pglite-driver.js';

describe('PGlite driver: data directory', () => {
  let parent: string;
  let dataDir: string;
  const opened: Db[] = [];
  /** Open and remember, so a failing test still closes (and unlocks) what it opened. */
  const open = async (options: Parameters<typeof openPglite>[0]) => {
    const db = await openPglite(options);
    opened.push(db);
    return db;
  };

  beforeEach(async () => {
    parent = await mkdtemp(join(tmpdir(), 'slipway-pglite-'));
    dataDir = join(parent, 'db');
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((db) => db.close()));
    await chmod(parent, 0o700).catch(() => undefined);
    await rm(parent, { recursive: true, force: true });
  });

  it('keeps data across close and reopen, and unlocks on close', async () => {
    const template = await pgliteTemplate('migrated');
    const first = await open({ dataDir, loadDataDir: template });
    await first.query("insert into projects (name, config, digest) values ('harbor', '{}', 'd')");
    await first.close();
    expect((await readdir(parent)).sort()).toEqual(['db']);
    // loadDataDir only seeds a new database; the existing one wins.
    const second = await open({ dataDir, loadDataDir: template });
    expect((await second.query('select name from projects')).rows).toEqual([{ name: 'harbor' }]);
  });

  it('refuses a second opener of the same data directory while the first is open', async () => {
    const template = await pgliteTemplate('migrated');
    await open({ dataDir, loadDataDir: template });
    const error = await openPglite({ dataDir, loadDataDir: template }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toMatch(
      new RegExp(`^data directory ${dataDir} is in use by pid ${process.pid}`),
    );
  });

  it('takes over the lock of a coordinator that died', async () => {
    const child = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => child.on('exit', resolve));
    await writeFile(`${dataDir}.lock`, JSON.stringify({ pid: child.pid, token: 'crashed' }));
    const db = await open({ dataDir, loadDataDir: await pgliteTemplate('migrated') });
    expect((await db.query('select count(*) as n from projects')).rows).toEqual([{ n: 0 }]);
  });

  it('recovers from a first start that was interrupted during creation', async () => {
    await mkdir(`${dataDir}.init`);
    await writeFile(join(`${dataDir}.init`, 'PG_VERSION'), '15\n'); // half-written by a killed process
    const db = await open({ dataDir, loadDataDir: await pgliteTemplate('migrated') });
    expect((await db.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    expect((await readdir(parent)).sort()).toEqual(['db', 'db.lock']);
  });

  it('says clearly when the data directory cannot be created', async () => {
    await writeFile(join(parent, 'file'), 'not a directory');
    const below = join(parent, 'file', 'slipway', 'db');
    const error = await openPglite({ dataDir: below }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toBe(
      `cannot create data directory ${below}: a parent path is not a directory`,
    );
  });

  // Permission errors are tested in test/store-processes.test.ts, as user nobody (root bypasses permissions).

  it('refuses a directory that holds other files, and a path that is a file', async () => {
    await mkdir(dataDir);
    await writeFile(join(dataDir, 'notes.txt'), 'mine');
    await expect(openPglite({ dataDir })).rejects.toThrow(
      `data directory ${dataDir} is not empty and holds no PGlite database`,
    );
    const file = join(parent, 'plain-file');
    await writeFile(file, '');
    await expect(openPglite({ dataDir: file })).rejects.toThrow(`data directory ${file} is not a directory`);
    // Failed opens released their locks.
    expect((await readdir(parent)).sort()).toEqual(['db', 'plain-file']);
  });

  it('refuses a loadDataDir that is not a dump instead of crashing the process', async () => {
    await expect(openPglite({ loadDataDir: new Blob(['garbage'.repeat(100)]) })).rejects.toThrow(/not a PGlite dump/);
  });
});

describe('PGlite driver: the background lane', () => {
  let db: Db;
  beforeEach(async () => {
    db = await openPglite();
    await db.exec('create table log (n int, lane text)');
  });
  afterEach(() => db.close());

  it("runs a statement of the foreground before the background's queued ones, and shares the database", async () => {
    const background = db.background();
    expect(background.background()).toBe(background);
    const order: string[] = [];
    const queued = Array.from({ length: 20 }, (_, i) =>
      background.query('insert into log values ($1, $2)', [i, 'background']).then(() => order.push(`b${i}`)),
    );
    const step = db.query('insert into log values ($1, $2)', [100, 'foreground']).then(() => order.push('step'));
    await Promise.all([...queued, step]);
    // The first background statement was already running; the step comes right after it.
    expect(order.indexOf('step')).toBeLessThanOrEqual(1);
    const { rows } = await db.query<{ n: number }>("select count(*)::int as n from log where lane = 'background'");
    expect(rows[0]!.n).toBe(20);
  });

  it('keeps transactions on the background lane whole, and refuses the store inside them', async () => {
    const background = db.background();
    const committed = background.transaction(async (tx) => {
      await tx.query("insert into log values (1, 'tx')");
      await expect(db.query('select 1')).rejects.toThrow(/inside a transaction|transaction/);
      await tx.query("insert into log values (2, 'tx')");
    });
    const read = db.query<{ n: number }>("select count(*)::int as n from log where lane = 'tx'");
    await committed;
    // The read was queued while the transaction held the store: it sees both rows or none, never one.
    expect([0, 2]).toContain((await read).rows[0]!.n);
  });
});
