import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { StoreError } from './errors.js';

/** One file of Slipway's own schema: `schema/NNN_name.sql`. */
export interface Migration {
  version: number;
  name: string;
  file: string;
  sql: string;
  /** sha256 of the text with line endings normalised, so a CRLF checkout is not "changed". */
  checksum: string;
}

/**
 * The schema folder next to this module: src/store/schema under tsx and vitest,
 * dist/store/schema in the built package (scripts/copy-assets.mjs copies the .sql files there).
 */
export const defaultSchemaDir = new URL('./schema/', import.meta.url);

const fileName = /^(\d{3,})_([a-z0-9][a-z0-9_-]*)\.sql$/;

/** Read the migrations in `dir`, ordered by version; they must be numbered 001, 002... without gaps. */
export async function loadMigrations(dir: URL | string = defaultSchemaDir): Promise<Migration[]> {
  const path = typeof dir === 'string' ? dir : fileURLToPath(dir);
  const files = (await readdir(path).catch(() => [] as string[])).filter((f) => f.endsWith('.sql')).sort();
  if (files.length === 0) {
    throw new StoreError(
      'internal',
      `no schema migrations found in ${path}; the package is incomplete (npm run build copies ` +
        `src/store/schema/*.sql into dist/)`,
    );
  }
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = fileName.exec(file);
    if (!match)
      throw new StoreError(
        'internal',
        `schema file ${path}/${file} is not named NNN_name.sql (e.g. 002_approvals.sql)`,
      );
    const version = Number(match[1]);
    const expected = migrations.length + 1;
    if (version !== expected) {
      throw new StoreError(
        'internal',
        `schema file ${file} has version ${version}, expected ${expected}: migrations are numbered 001, 002... ` +
          `without gaps or duplicates`,
      );
    }
    const sql = await readFile(`${path}/${file}`, 'utf8');
    migrations.push({ version, name: match[2]!, file, sql, checksum: checksumOf(sql) });
  }
  return migrations;
}

/** The checksum recorded for a migration's text. */
export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
}
