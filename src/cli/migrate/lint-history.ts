/**
 * Files named on `slipway migrate lint FILES…`: a migration file (`NNNN_name.up.sql`) is linted
 * after the earlier up scripts of its directory, read silently, so it is judged against the whole
 * history exactly as `migrate plan` judges it (a varchar widened in 0002 was declared in 0001).
 * Other files are linted on their own.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { MigrationError } from '../../migrations/errors.js';
import { lintInOrder, type LintOptions, type LintTarget } from '../../migrations/linter/lint.js';
import type { FileReport } from '../../migrations/types.js';

const upScript = /^(\d+)_[A-Za-z0-9_-]+\.up\.sql$/;

/** The file as findings name it: relative to the working directory. */
export function displayName(file: string): string {
  return path.relative(process.cwd(), path.resolve(file)) || file;
}

/** Reads a SQL file; a missing or unreadable one is invalid input naming the file. */
export function readSql(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new MigrationError(
      'invalid_input',
      `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}

/** Lints the named files, each migration after its directory's earlier ones; reports in the order named. */
export function lintNamedFiles(files: string[], options: Omit<LintOptions, 'schema'>): FileReport[] {
  const reports = new Map<string, FileReport>();
  const byDirectory = new Map<string, { file: string; version: number }[]>();
  for (const file of new Set(files)) {
    const match = upScript.exec(path.basename(file));
    if (!match) {
      reports.set(file, lintInOrder([{ file: displayName(file), sql: readSql(file) }], options)[0]!);
      continue;
    }
    const dir = path.dirname(path.resolve(file));
    byDirectory.set(dir, [...(byDirectory.get(dir) ?? []), { file, version: Number(match[1]) }]);
  }
  for (const [dir, named] of byDirectory) {
    const targets = historyOf(dir, named);
    const linted = lintInOrder(targets, options);
    const reported = targets.filter((t) => !t.historyOnly);
    for (const [i, target] of reported.entries()) reports.set(target.named!, linted[i]!);
  }
  return files.map((file) => reports.get(file)!);
}

/** The directory's up scripts up to the last named one, in version order; the unnamed ones are history only. */
function historyOf(dir: string, named: { file: string; version: number }[]): (LintTarget & { named?: string })[] {
  const last = Math.max(...named.map((n) => n.version));
  const namedPaths = new Map(named.map((n) => [path.resolve(n.file), n.file]));
  const earlier: { path: string; version: number }[] = [];
  for (const entry of entriesOf(dir)) {
    const match = upScript.exec(entry);
    const full = path.join(dir, entry);
    if (match && Number(match[1]) <= last && !namedPaths.has(full))
      earlier.push({ path: full, version: Number(match[1]) });
  }
  const all = [
    ...earlier.map((e) => ({ ...e, named: undefined as string | undefined })),
    ...named.map((n) => ({ path: path.resolve(n.file), version: n.version, named: n.file })),
  ].sort((a, b) => a.version - b.version || a.path.localeCompare(b.path));
  return all.map((entry) => ({
    file: displayName(entry.named ?? entry.path),
    sql: readSql(entry.path),
    historyOnly: entry.named === undefined,
    ...(entry.named === undefined ? {} : { named: entry.named }),
  }));
}

function entriesOf(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return []; // the named file's own read then says what is wrong
  }
}
