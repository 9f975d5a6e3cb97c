import { beforeAll, describe, expect, it } from 'vitest';
import { prepareScript } from '../../runner/script.js';
import { lintSql } from '../lint.js';
import { loadParser } from '../parse.js';

beforeAll(async () => {
  await loadParser();
});

/** Every TransactionStmt form PostgreSQL 15 parses, and how the finding must name it. */
const forms: [sql: string, named: string | null][] = [
  ['BEGIN', 'BEGIN'],
  ['begin work', 'BEGIN'],
  ['BEGIN ISOLATION LEVEL SERIALIZABLE', 'BEGIN'],
  ['START TRANSACTION READ WRITE', 'START TRANSACTION'],
  ['COMMIT', 'COMMIT'],
  ['COMMIT AND CHAIN', 'COMMIT'],
  ['END', 'END'],
  ['ROLLBACK', 'ROLLBACK'],
  ['abort', 'ABORT'],
  ["PREPARE TRANSACTION 'tx1'", 'PREPARE TRANSACTION'],
  ["COMMIT PREPARED 'tx1'", 'COMMIT PREPARED'],
  ["ROLLBACK PREPARED 'tx1'", 'ROLLBACK PREPARED'],
  ['SAVEPOINT before_seed', null],
  ['RELEASE SAVEPOINT before_seed', null],
  ['ROLLBACK TO SAVEPOINT before_seed', null],
];

describe('transaction-control', () => {
  it.each(forms)('%s: flagged exactly when the runner refuses it, naming the statement as written', (sql, named) => {
    const finding = lintSql(`${sql};`, 'm.sql', { lockTimeoutSet: true }).statements[0]!.findings.find(
      (f) => f.rule === 'transaction-control',
    );
    const refused = (() => {
      try {
        prepareScript(`${sql};`, 'm.sql');
        return false;
      } catch {
        return true;
      }
    })();
    expect(finding !== undefined).toBe(refused);
    expect(refused).toBe(named !== null);
    if (named === null) return;
    expect(finding).toMatchObject({ level: 'error', class: 'locking', line: 1, col: 1 });
    expect(finding!.message.startsWith(`${named} inside a migration: `)).toBe(true);
    expect(finding!.safeAlternative).toContain('SAVEPOINT');
  });

  it('keeps concurrently-in-transaction on the CONCURRENTLY statement inside BEGIN … COMMIT', () => {
    const report = lintSql(
      'BEGIN;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS vessels_eta_idx ON vessels (eta);\nCOMMIT;',
      'm.sql',
      {
        lockTimeoutSet: true,
      },
    );
    expect(report.statements.map((s) => s.findings.map((f) => f.rule))).toEqual([
      ['transaction-control'],
      ['concurrently-in-transaction'],
      ['transaction-control'],
    ]);
    expect(report.statements.map((s) => s.line)).toEqual([1, 2, 3]);
  });
});
