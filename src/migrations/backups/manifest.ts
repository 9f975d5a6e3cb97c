/**
 * A backup on disk: `<id>.dump` (pg_dump's custom format) and `<id>.json`, this manifest. The
 * manifest is written last, so a backup without one never finished and is not listed.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface BackupManifest {
  id: string;
  project: string;
  environment: string;
  /** The release whose migrations ran after this backup: restoring it is "the state before <release>". */
  release: string;
  createdAt: string;
  durationMs: number;
  file: string;
  bytes: number;
  sha256: string;
  /** `database`: every schema; `touched`: only the tables the migrations name (and the history table). */
  scope: 'database' | 'touched';
  /** Tables dumped (touched scope), quoted; tables the migrations name that did not exist yet. */
  tables: string[];
  absent: string[];
  /** host:port/database, for people. */
  database: string;
  /** The last migration applied before (0: none). */
  migrationsThrough: number;
  /** The first transaction id not yet started when the dump began: rows with a newer xmin were written later. */
  xid: string;
  /** Set once the release's migrations ran: from then on, writes count as the application's own. */
  afterMigrations?: { xid: string; at: string; rows: Record<string, number> };
}

/** Where one environment's backups of a project live. */
export function backupDir(root: string, project: string, environment: string): string {
  return path.join(root, project, environment);
}

export function writeManifest(dir: string, manifest: BackupManifest): void {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${manifest.id}.json`);
  writeFileSync(`${file}.partial`, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.partial`, file);
}

/** The finished backups in `dir`, newest first. */
export function listManifests(dir: string): BackupManifest[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: BackupManifest[] = [];
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    try {
      out.push(JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as BackupManifest);
    } catch {
      // A manifest someone edited into invalid JSON is not a backup Slipway can vouch for.
    }
  }
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
}

/** Keep the newest `keep` backups; delete the others (dump and manifest). Returns the ids deleted. */
export function applyRetention(dir: string, keep: number): string[] {
  const old = listManifests(dir).slice(keep);
  for (const m of old) {
    rmSync(path.join(dir, m.file), { force: true });
    rmSync(path.join(dir, `${m.id}.json`), { force: true });
  }
  return old.map((m) => m.id);
}
