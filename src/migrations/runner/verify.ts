/**
 * The checks that run after taking the lock and before any migration runs: the history must
 * agree with the files. Every problem is reported at once, naming the file (or the version
 * when the file is gone), so one run tells the user everything to fix.
 */
import { MigrationError } from '../errors.js';
import type { Migration } from '../types.js';
import type { HistoryRow } from './history.js';

/** Refuses drift (an applied file edited or renamed), applied versions without a file, and out-of-order pending files.
 * */
export function verifyHistory(rows: HistoryRow[], migrations: Migration[], database: string): void {
  const files = new Map(migrations.map((m) => [m.version, m]));
  const recorded = new Map(rows.map((row) => [row.version, row]));
  const problems: string[] = [];
  for (const row of rows) {
    const file = files.get(row.version);
    const how = row.state === 'partial' ? `partly applied (${row.statementsDone} statement(s))` : 'applied';
    if (!file) {
      problems.push(
        `${database} records migration ${row.id} (version ${row.version}) as ${how}, but there is no ` +
          `${row.id}.up.sql; restore the file`,
      );
    } else if (file.id !== row.id) {
      problems.push(
        `${file.upPath}: version ${row.version} was ${how} as ${row.id}; rename the file back (a different ` +
          `migration needs a new version)`,
      );
    } else if (file.checksum !== row.checksum) {
      problems.push(
        `${file.upPath} was edited after it was ${how} (file checksum ${file.checksum.slice(0, 12)}, recorded ` +
          `${row.checksum.slice(0, 12)}); restore the recorded version and put the change in a new migration`,
      );
    }
  }
  const highestApplied = rows.filter((row) => row.state === 'applied').at(-1);
  for (const file of migrations) {
    const row = recorded.get(file.version);
    if (row?.state === 'applied' || !highestApplied || highestApplied.version < file.version) continue;
    const what = row ? 'is only partly applied' : 'is not applied';
    problems.push(
      `${file.upPath} ${what} but the later ${highestApplied.id} (version ${highestApplied.version}) is; running it ` +
        `now would apply migrations out of order — renumber it above ${highestApplied.version}`,
    );
  }
  if (problems.length === 1)
    throw new MigrationError('conflict', `refusing to migrate ${database}: ${problems[0]}`, { problems });
  if (problems.length > 1)
    throw new MigrationError(
      'conflict',
      `refusing to migrate ${database}: ${problems.length} problems:\n  ${problems.join('\n  ')}`,
      { problems },
    );
}
