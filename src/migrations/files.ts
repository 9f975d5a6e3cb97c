/**
 * Migration files on disk: `NNNN_name.up.sql` + `NNNN_name.down.sql`. Everything that can be
 * wrong with the set (gap, duplicate, missing down, stray file, bad directive) is collected and
 * reported at once, naming the file, before anything runs.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readDirectives } from './directives.js';
import { MigrationError } from './errors.js';
import type { Migration } from './types.js';

const fileName = /^(\d+)_([A-Za-z0-9_-]+)\.(up|down)\.sql$/;

/** sha256 of a script, as recorded in the history table. Line endings are normalised so a
 * checkout on Windows does not look like drift. */
export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
}

/** Loads and checks every migration in a directory, ordered by version. */
export function loadMigrations(dir: string): Migration[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new MigrationError('invalid_input', `migrations directory ${dir} does not exist`);
  }
  const problems: string[] = [];
  const byVersion = new Map<number, { id: string; up?: string; down?: string }>();
  for (const entry of readdirSync(dir).sort()) {
    if (!entry.endsWith('.sql')) continue;
    const match = fileName.exec(entry);
    if (!match) {
      problems.push(`${join(dir, entry)}: not a migration file name (expected NNNN_name.up.sql or NNNN_name.down.sql)`);
      continue;
    }
    const version = Number(match[1]);
    const id = `${match[1]}_${match[2]}`;
    const slot = byVersion.get(version) ?? { id };
    if (slot.id !== id) {
      problems.push(`${join(dir, entry)}: duplicate version ${version} (also ${slot.id})`);
      continue;
    }
    slot[match[3] as 'up' | 'down'] = join(dir, entry);
    byVersion.set(version, slot);
  }
  const versions = [...byVersion.keys()].sort((a, b) => a - b);
  const migrations: Migration[] = [];
  versions.forEach((version, position) => {
    const slot = byVersion.get(version)!;
    const expected = position === 0 ? versions[0]! : versions[position - 1]! + 1;
    if (version !== expected)
      problems.push(`${slot.up ?? slot.down}: gap in numbering: version ${expected} is missing before ${version}`);
    if (!slot.up) {
      problems.push(`${slot.down}: has no ${slot.id}.up.sql`);
      return;
    }
    const migration = readMigration(version, slot.id, slot.up, slot.down ?? null, problems);
    if (migration) migrations.push(migration);
  });
  if (problems.length > 0) {
    throw new MigrationError('invalid_input', `${problems.length} problem(s) in ${dir}:\n  ${problems.join('\n  ')}`, {
      problems,
    });
  }
  return migrations;
}

function readMigration(
  version: number,
  id: string,
  upPath: string,
  downPath: string | null,
  problems: string[],
): Migration | null {
  const up = readFileSync(upPath, 'utf8');
  const down = downPath ? readFileSync(downPath, 'utf8') : null;
  const directives = readDirectives(up);
  for (const problem of directives.problems) problems.push(`${upPath}:${problem.line}: ${problem.message}`);
  if (down !== null)
    for (const problem of readDirectives(down).problems)
      problems.push(`${downPath}:${problem.line}: ${problem.message}`);
  if (down === null && !directives.irreversible) {
    problems.push(`${upPath}: no ${id}.down.sql; write one or declare "-- slipway: irreversible"`);
    return null;
  }
  if (directives.after && directives.phase !== 'contract')
    problems.push(`${upPath}: after=VERSION only applies to phase=contract`);
  return {
    version,
    id,
    name: id.slice(id.indexOf('_') + 1),
    upPath,
    downPath,
    up,
    down,
    checksum: checksumOf(up),
    phase: directives.phase,
    irreversible: directives.irreversible,
    after: directives.after,
  };
}
