import { describe, expect, it } from 'vitest';
import { checksumOf } from '../files.js';
import type { Migration } from '../types.js';
import type { HistoryRow } from './history.js';
import { verifyHistory } from './verify.js';

function migration(version: number, name: string, up = `select ${version};`): Migration {
  const id = `${String(version).padStart(4, '0')}_${name}`;
  return {
    version,
    id,
    name,
    upPath: `db/${id}.up.sql`,
    downPath: `db/${id}.down.sql`,
    up,
    down: 'select 0;',
    checksum: checksumOf(up),
    phase: null,
    irreversible: false,
    after: null,
  };
}

function row(m: Migration, overrides: Partial<HistoryRow> = {}): HistoryRow {
  return {
    version: m.version,
    id: m.id,
    checksum: m.checksum,
    phase: null,
    state: 'applied',
    statementsDone: 0,
    release: '1.0.0',
    appliedAt: new Date(0),
    durationMs: 1,
    appliedBy: 'me@here pid 1',
    ...overrides,
  };
}

const files = [migration(1, 'a'), migration(2, 'b'), migration(3, 'c')];
const [a, b, c] = files as [Migration, Migration, Migration];

function refusal(rows: HistoryRow[], migrations = files): string {
  try {
    verifyHistory(rows, migrations, 'db:5432/app');
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('verifyHistory', () => {
  it('accepts a prefix of the files applied, with or without a partial one after it', () => {
    expect(() => verifyHistory([], files, 'db')).not.toThrow();
    expect(() => verifyHistory([row(a), row(b)], files, 'db')).not.toThrow();
    expect(() => verifyHistory([row(a), row(b, { state: 'partial', statementsDone: 1 })], files, 'db')).not.toThrow();
  });

  it('refuses drift naming the file and both checksums', () => {
    const edited = migration(2, 'b', 'select 22;');
    const message = refusal([row(a), row(b)], [a, edited, c]);
    expect(message).toBe(
      `refusing to migrate db:5432/app: db/0002_b.up.sql was edited after it was applied (file checksum ` +
        `${edited.checksum.slice(0, 12)}, recorded ${b.checksum.slice(0, 12)}); restore the recorded version and ` +
        `put the change in a new migration`,
    );
  });

  it('refuses an edited partial migration too', () => {
    expect(
      refusal([row(a), row(b, { state: 'partial', statementsDone: 1 })], [a, migration(2, 'b', 'select 22;')]),
    ).toContain('db/0002_b.up.sql was edited after it was partly applied (1 statement(s))');
  });

  it('refuses a renamed applied file', () => {
    expect(refusal([row(a), row(b)], [a, migration(2, 'renamed', b.up)])).toContain(
      'db/0002_renamed.up.sql: version 2 was applied as 0002_b; rename the file back',
    );
  });

  it('refuses an applied version without a file, naming it', () => {
    expect(refusal([row(a), row(b), row(c)], [a, b])).toContain(
      'db:5432/app records migration 0003_c (version 3) as applied, but there is no 0003_c.up.sql',
    );
  });

  it('refuses a pending file below an applied one, naming both, and lists every problem at once', () => {
    const message = refusal([row(a), row(c)], [a, b, migration(3, 'c', 'select 33;')]);
    expect(message).toMatch(/^refusing to migrate db:5432\/app: 2 problems:\n/);
    expect(message).toContain(
      'db/0002_b.up.sql is not applied but the later 0003_c (version 3) is; running it now would apply migrations ' +
        'out of order',
    );
    expect(message).toContain('db/0003_c.up.sql was edited');
  });
});
