/**
 * A backup before a release's migrations run: pg_dump (custom format) of the database, or of the
 * tables the migrations name, into the configured directory, with its sha256 and a manifest; older
 * backups beyond `keep` are deleted. If pg_dump fails, the migrations do not run.
 */
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { parsePostgresUrl } from '../../store/postgres-address.js';
import { MigrationError } from '../errors.js';
import { historyTable } from '../runner/history.js';
import { nextXid, withClient } from './client.js';
import { libpqEnvironment } from './libpq-env.js';
import { applyRetention, backupDir, writeManifest, type BackupManifest } from './manifest.js';
import { runTool, toolMessage } from './tools.js';

export interface BackupRequest {
  url: string;
  /** The backups root (database.backups.dir). */
  root: string;
  keep: number;
  scope: 'database' | 'touched';
  project: string;
  environment: string;
  release: string;
  /** Quoted names of the tables the pending migrations name. */
  touched: string[];
  migrationsThrough: number;
  now?: () => Date;
}

/** sha256 of a file, streamed (a backup may be gigabytes). */
export async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function takeBackup(req: BackupRequest): Promise<BackupManifest> {
  const createdAt = (req.now ?? (() => new Date()))();
  const started = Date.now();
  const id = `${createdAt
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${req.release.replace(/[^A-Za-z0-9._-]/g, '_')}`;
  const dir = backupDir(req.root, req.project, req.environment);
  const { xid, tables, absent } = await withClient(req.url, async (client) => {
    const present: string[] = [];
    const missing: string[] = [];
    if (req.scope === 'touched') {
      for (const table of [...new Set([...req.touched, historyTable])]) {
        const { rows } = await client.query<{ found: boolean }>('select to_regclass($1) is not null as found', [table]);
        (rows[0]!.found ? present : missing).push(table);
      }
    }
    return { xid: await nextXid(client), tables: present, absent: missing.filter((t) => t !== historyTable) };
  });

  const file = `${id}.dump`;
  const partial = path.join(dir, `${file}.partial`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Nothing the migrations name exists yet (a first release): the whole database is as small as a table list.
  const scope = req.scope === 'touched' && tables.length > 0 ? 'touched' : 'database';
  const args = ['--format=custom', '--no-password', `--file=${partial}`];
  if (scope === 'touched') args.push(...tables.map((t) => `--table=${t}`));
  const run = await runTool('pg_dump', args, libpqEnvironment(req.url));
  if (run.code !== 0) {
    rmSync(partial, { force: true });
    throw new MigrationError(
      'failed',
      `backup of ${parsePostgresUrl(req.url).display} failed, so the migrations of ${req.release} did not run: ` +
        `pg_dump: ${toolMessage('pg_dump', run)}`,
    );
  }
  const sha256 = await fileSha256(partial);
  renameSync(partial, path.join(dir, file));
  const manifest: BackupManifest = {
    id,
    project: req.project,
    environment: req.environment,
    release: req.release,
    createdAt: createdAt.toISOString(),
    durationMs: Date.now() - started,
    file,
    bytes: statSync(path.join(dir, file)).size,
    sha256,
    scope,
    tables: scope === 'touched' ? tables : [],
    absent,
    database: parsePostgresUrl(req.url).display,
    migrationsThrough: req.migrationsThrough,
    xid,
  };
  writeManifest(dir, manifest);
  applyRetention(dir, req.keep);
  return manifest;
}
