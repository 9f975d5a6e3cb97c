import { describe, expect, it } from 'vitest';
import { checksumOf } from '../files.js';
import type { Migration } from '../types.js';
import type { HistoryRow } from './history.js';
import { statusRows } from './status.js';

function migration(version: number, name: string, up = `select ${version};`): Migration {
  const id = `${String(version).padStart(4, '0')}_${name}`;
  return {
    version,
    id,
    name,
    upPath: `db/${id}.up.sql`,
    downPath: null,
    up,
    down: null,
    checksum: checksumOf(up),
    phase: null,
    irreversible: true,
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

describe('statusRows', () => {
  it('gives each file and each orphan row its state', () => {
    const [a, b, c] = [migration(1, 'a'), migration(2, 'b'), migration(3, 'c')];
    const rows = statusRows(
      [a, migration(2, 'b', 'select 22;'), c, migration(4, 'd')],
      [row(a), row(b), row(c, { state: 'partial', statementsDone: 2 }), row(migration(5, 'e'))],
    );
    expect(rows.map((r) => [r.id, r.state, r.checksumOk])).toEqual([
      ['0001_a', 'applied', true],
      ['0002_b', 'drift', false],
      ['0003_c', 'partial', true],
      ['0004_d', 'pending', true],
      ['0005_e', 'missing-file', false],
    ]);
    expect(rows[2]!.statementsDone).toBe(2);
    expect(rows[0]).toMatchObject({ release: '1.0.0', appliedAt: new Date(0), file: 'db/0001_a.up.sql' });
    expect(rows[3]).not.toHaveProperty('appliedAt');
  });
});
