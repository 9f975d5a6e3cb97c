import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MigrationError } from '../errors.js';
import type { Migration } from '../types.js';
import { emptySchema } from './context.js';
import { lintFile, lintInOrder, lintMigrations, lintSql } from './lint.js';
import { loadParser } from './parse.js';
import { firstVolatile, volatilityOf } from './volatility.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-lint-'));

beforeAll(async () => {
  await loadParser();
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const lint = (sql: string) => lintSql(sql, 'm.sql', { lockTimeoutSet: true });

describe('lintSql', () => {
  it('fills a finding with file, statement position, lock, level and a message naming the object', () => {
    const report = lint('SELECT 1;\n\n  ALTER TABLE vessels RENAME COLUMN tonnage TO gross_tonnage;');
    const finding = report.statements[1]!.findings[0]!;
    expect(finding).toMatchObject({
      file: 'm.sql',
      line: 3,
      col: 3,
      rule: 'rename-column',
      class: 'breaking',
      lock: 'ACCESS EXCLUSIVE',
      level: 'error',
      statementIndex: 1,
      allowedBecause: null,
    });
    expect(finding.message).toContain('column vessels.tonnage');
    expect(finding.safeAlternative).toMatch(
      /1\. expand: add column vessels\.gross_tonnage.*2\. deploy.*3\. contract: drop tonnage/,
    );
  });

  it('gives each statement the strongest table lock it takes', () => {
    const locks = lint(
      [
        'SELECT * FROM vessels',
        'CREATE TABLE tugs (id bigint PRIMARY KEY)',
        'CREATE TABLE moorings (tug_id bigint REFERENCES tugs (id), berth_id bigint REFERENCES berths (id))',
        'ALTER TABLE vessels ADD COLUMN eta timestamptz',
        'CREATE INDEX CONCURRENTLY vessels_eta_idx ON vessels (eta)',
        'ALTER TABLE voyages ADD CONSTRAINT voyages_vessel_fk FOREIGN KEY (vessel_id) REFERENCES vessels (id) NOT ' +
          'VALID',
        'ALTER TABLE voyages VALIDATE CONSTRAINT voyages_vessel_fk',
        'LOCK TABLE ports IN SHARE MODE',
        "UPDATE ports SET name = 'x' WHERE id = 1",
        'ALTER INDEX vessels_eta_idx RENAME TO index_vessels_on_eta',
        'ALTER DOMAIN port_code SET NOT NULL',
      ].join(';\n'),
    ).statements.map((s) => s.lock);
    expect(locks).toEqual([
      'ACCESS SHARE',
      null,
      'SHARE ROW EXCLUSIVE',
      'ACCESS EXCLUSIVE',
      'SHARE UPDATE EXCLUSIVE',
      'SHARE ROW EXCLUSIVE',
      'SHARE UPDATE EXCLUSIVE',
      'SHARE',
      'ROW EXCLUSIVE',
      'SHARE UPDATE EXCLUSIVE',
      'SHARE',
    ]);
  });

  it('takes the class of the worst finding, never below the base class', () => {
    const [hygiene, blocking] = lint(
      'ALTER TABLE vessels ADD COLUMN meta json;\nALTER TABLE vessels ADD COLUMN raw json NOT NULL;',
    ).statements;
    expect(hygiene!.class).toBe('backward-compatible');
    expect(hygiene!.findings.map((f) => [f.rule, f.level])).toEqual([['prefer-jsonb', 'warning']]);
    expect(blocking!.class).toBe('breaking');
  });

  it('says when a default function is unknown and only assumed volatile', () => {
    const [finding] = lint("ALTER TABLE vessels ADD COLUMN slug text DEFAULT make_slug('x');").statements[0]!.findings;
    expect(finding!.message).toContain('make_slug(), which the linter does not know and so assumes volatile');
  });

  it('is satisfied by lockTimeoutSet or an earlier SET lock_timeout', () => {
    const ddl = 'ALTER TABLE vessels ADD COLUMN eta timestamptz;';
    expect(lintSql(ddl, 'a.sql').statements[0]!.findings.map((f) => f.rule)).toEqual(['ddl-without-lock-timeout']);
    expect(lintSql(ddl, 'a.sql', { lockTimeoutSet: true }).statements[0]!.findings).toEqual([]);
    expect(lintSql(`SET lock_timeout TO '1500ms';\n${ddl}`, 'a.sql').statements[1]!.findings).toEqual([]);
    expect(
      lintSql(`SET lock_timeout = '2s';\nRESET lock_timeout;\n${ddl}`, 'a.sql').statements[2]!.findings.map(
        (f) => f.rule,
      ),
    ).toEqual(['ddl-without-lock-timeout']);
  });

  it('places an unused allow at the directive line and attaches it to the next statement', () => {
    const report = lint('SELECT 1;\n-- slipway: allow drop-table because gone\nSELECT 2;');
    expect(report.statements[0]!.findings).toEqual([]);
    expect(report.statements[1]!.findings[0]).toMatchObject({
      rule: 'unused-allow',
      line: 2,
      col: 1,
      level: 'warning',
      class: 'safe',
      statementIndex: 1,
    });
    expect(report.statements[1]!.findings[0]!.message).toContain('has no drop-table finding');
  });

  it('names the transaction-holding statement in backfill findings', () => {
    const report = lint('ALTER TABLE vessels ADD COLUMN rank int;\nUPDATE vessels SET rank = 1 WHERE id < 100;');
    expect(report.statements[1]!.findings[0]!.message).toContain(
      'same transaction as the ALTER TABLE at line 1, which holds ACCESS EXCLUSIVE on vessels',
    );
  });

  it('returns the parse error instead of throwing, for any input', () => {
    for (const sql of ['ALTER', '\u0000', 'SELECT $$unterminated', ')))']) {
      const report = lintSql(sql, 'bad.sql');
      expect(report.statements).toEqual([]);
      expect(report.parseError).toMatchObject({ file: 'bad.sql', line: 1 });
      expect(report.parseError!.message.length).toBeGreaterThan(0);
    }
  });
});

describe('column types across migrations', () => {
  it('recognises a binary-compatible change of a column declared in an earlier file when given the schema', () => {
    const schema = emptySchema();
    lintSql('CREATE TABLE ports (id bigint PRIMARY KEY, locode varchar(5), tariff numeric(8,2));', '1.sql', {
      lockTimeoutSet: true,
      schema,
    });
    const widen = lintSql(
      'ALTER TABLE ports ALTER COLUMN locode TYPE varchar(8), ALTER COLUMN tariff TYPE numeric(10,2);',
      '2.sql',
      { lockTimeoutSet: true, schema },
    );
    expect(widen.statements[0]!.findings.filter((f) => f.level === 'error')).toEqual([]);
    expect(widen.statements[0]!.class).toBe('backward-compatible');
    const narrow = lintSql('ALTER TABLE ports ALTER COLUMN locode TYPE varchar(6);', '3.sql', {
      lockTimeoutSet: true,
      schema,
    });
    expect(narrow.statements[0]!.findings[0]).toMatchObject({ rule: 'change-column-type', class: 'breaking' });
    expect(narrow.statements[0]!.findings[0]!.message).toContain('from varchar(8) to varchar(6)');
  });

  it('lintMigrations carries column types from one migration to the next, in version order', async () => {
    const migration = (version: number, up: string): Migration => ({
      version,
      id: `000${version}_m`,
      name: 'm',
      upPath: `000${version}_m.up.sql`,
      downPath: null,
      up,
      down: null,
      checksum: '',
      phase: null,
      irreversible: true,
      after: null,
    });
    const reports = await lintMigrations(
      [
        migration(2, 'ALTER TABLE quays ALTER COLUMN name TYPE text;'),
        migration(1, 'CREATE TABLE quays (id bigint PRIMARY KEY, name varchar(40));'),
      ],
      { lockTimeoutSet: true },
    );
    expect(reports.map((r) => r.file)).toEqual(['0001_m.up.sql', '0002_m.up.sql']);
    expect(reports[1]!.statements[0]!.findings).toEqual([]);
  });
});

describe('the catalog across files (lintInOrder)', () => {
  const files = (...sqls: string[]) =>
    lintInOrder(
      sqls.map((sql, i) => ({ file: `000${i + 1}.up.sql`, sql })),
      { lockTimeoutSet: true },
    );
  const rulesOf = (reports: ReturnType<typeof files>, file: number) =>
    reports[file]!.statements.flatMap((s) => s.findings.map((f) => f.rule));

  it('judges a type change against the type an earlier file declared', () => {
    const reports = files(
      'CREATE TABLE ports (id bigint PRIMARY KEY, locode varchar(5));',
      'ALTER TABLE ports ALTER COLUMN locode TYPE text;\nALTER TABLE ports ALTER COLUMN locode TYPE varchar(10);',
    );
    expect(reports[1]!.statements.map((s) => s.class)).toEqual(['backward-compatible', 'breaking']);
    expect(reports[1]!.statements[1]!.findings[0]!.message).toContain('from text to varchar(10)');
  });

  it('knows a CHECK NOT VALID of one file, validated in the next, when a third sets NOT NULL', () => {
    // The constraint's name does not mention the column, so only the catalog can tell.
    const reports = files(
      'CREATE TABLE vessels (id bigint PRIMARY KEY, flag text);',
      'ALTER TABLE vessels ADD CONSTRAINT flag_required CHECK (flag IS NOT NULL) NOT VALID;',
      'ALTER TABLE vessels VALIDATE CONSTRAINT flag_required;',
      'ALTER TABLE vessels ALTER COLUMN flag SET NOT NULL;',
    );
    expect(reports[3]!.statements[0]!).toMatchObject({ class: 'backward-compatible', findings: [] });
  });

  it('knows a CHECK (col IS NOT NULL) declared by CREATE TABLE, named or not, NOT VALID or not', () => {
    for (const check of [
      'flag text CHECK (flag IS NOT NULL)',
      'flag text, CONSTRAINT flag_required CHECK (flag IS NOT NULL) NOT VALID',
    ]) {
      const reports = files(
        `CREATE TABLE vessels (id bigint PRIMARY KEY, ${check});`,
        'ALTER TABLE vessels ALTER COLUMN flag SET NOT NULL;',
      );
      expect(rulesOf(reports, 1), check).toEqual([]);
    }
  });

  it('still flags SET NOT NULL when the check was never validated, was dropped, or is on another column', () => {
    const base = 'CREATE TABLE vessels (id bigint PRIMARY KEY, flag text, name text);';
    const add = 'ALTER TABLE vessels ADD CONSTRAINT flag_required CHECK (flag IS NOT NULL) NOT VALID;';
    const validate = 'ALTER TABLE vessels VALIDATE CONSTRAINT flag_required;';
    const setNotNull = 'ALTER TABLE vessels ALTER COLUMN flag SET NOT NULL;';
    expect(rulesOf(files(base, add, setNotNull), 2)).toEqual(['set-not-null-without-check']);
    const dropped = files(base, add, validate, 'ALTER TABLE vessels DROP CONSTRAINT flag_required;', setNotNull);
    expect(rulesOf(dropped, 4)).toEqual(['set-not-null-without-check']);
    expect(rulesOf(files(base, add, validate, 'ALTER TABLE vessels ALTER COLUMN name SET NOT NULL;'), 3)).toEqual([
      'set-not-null-without-check',
    ]);
  });

  it('follows renames of the table, the column and the constraint', () => {
    const reports = files(
      'CREATE TABLE ships (id bigint PRIMARY KEY, flag text);',
      'ALTER TABLE ships ADD CONSTRAINT c CHECK (flag IS NOT NULL) NOT VALID;\nALTER TABLE ships RENAME TO vessels;',
      'ALTER TABLE vessels RENAME COLUMN flag TO flag_state;\nALTER TABLE vessels RENAME CONSTRAINT c TO d;',
      'ALTER TABLE vessels VALIDATE CONSTRAINT d;',
      'ALTER TABLE vessels ALTER COLUMN flag_state SET NOT NULL;',
    );
    expect(rulesOf(reports, 4)).toEqual([]);
  });

  it('reports only the files that are not history', () => {
    const reports = lintInOrder(
      [
        {
          file: '0001.up.sql',
          sql: 'CREATE TABLE ports (id bigint PRIMARY KEY, locode varchar(5));',
          historyOnly: true,
        },
        { file: '0002.up.sql', sql: 'ALTER TABLE ports ALTER COLUMN locode TYPE varchar(9);' },
      ],
      { lockTimeoutSet: true },
    );
    expect(reports.map((r) => r.file)).toEqual(['0002.up.sql']);
    expect(reports[0]!.statements[0]!.findings.map((f) => f.rule)).toEqual(['prefer-text']);
  });
});

describe('statement options', () => {
  it('reads VACUUM (FULL false) and REINDEX (CONCURRENTLY false) by their value, locks included', () => {
    const report = lint(
      'VACUUM (FULL false) vessels;\nVACUUM (FULL) vessels;\nREINDEX (CONCURRENTLY false) INDEX vessels_name_idx;\n' +
        'REINDEX (CONCURRENTLY) INDEX vessels_name_idx;\nREINDEX SYSTEM harbor;',
    );
    expect(report.statements.map((s) => [s.lock, s.findings.map((f) => f.rule)])).toEqual([
      ['SHARE UPDATE EXCLUSIVE', []],
      ['ACCESS EXCLUSIVE', ['vacuum-full']],
      ['ACCESS EXCLUSIVE', ['reindex-not-concurrently']],
      ['SHARE UPDATE EXCLUSIVE', []],
      [null, []],
    ]);
  });

  it('runs a file with REINDEX (CONCURRENTLY false) in one transaction, like any plain statement', () => {
    const report = lint(
      'ALTER TABLE vessels ADD COLUMN rank int;\nREINDEX (CONCURRENTLY false) INDEX vessels_name_idx;\n' +
        'UPDATE vessels SET rank = 1 WHERE id = 1;',
    );
    expect(report.statements[2]!.findings.map((f) => f.rule)).toEqual(['backfill-in-ddl-transaction']);
  });
});

describe('lintFile', () => {
  it('reads, parses and lints a file', async () => {
    const path = join(dir, '0001_vessels.up.sql');
    writeFileSync(path, 'CREATE TABLE vessels (id bigint PRIMARY KEY);\nDROP TABLE legacy;\n');
    const report = await lintFile(path, { lockTimeoutSet: true });
    expect(report.file).toBe(path);
    expect(report.statements.map((s) => s.class)).toEqual(['safe', 'data-loss']);
    expect(report.statements[1]!.findings[0]!.file).toBe(path);
  });

  it('throws a not_found MigrationError naming a missing file', async () => {
    const missing = join(dir, 'nope.sql');
    await expect(lintFile(missing)).rejects.toBeInstanceOf(MigrationError);
    await expect(lintFile(missing)).rejects.toMatchObject({ code: 'not_found', message: `${missing}: no such file` });
  });
});

describe('volatility', () => {
  it('knows stable, immutable and volatile built-ins and flags the first volatile or unknown call', () => {
    expect(volatilityOf('now')).toBe('stable');
    expect(volatilityOf('LOWER')).toBe('immutable');
    expect(volatilityOf('nextval')).toBe('volatile');
    expect(volatilityOf('my_func')).toBeUndefined();
    expect(firstVolatile(['lower', 'now'])).toBeNull();
    expect(firstVolatile(['lower', 'random', 'my_func'])).toEqual({ name: 'random', known: true });
    expect(firstVolatile(['coalesce', 'my_func'])).toEqual({ name: 'my_func', known: false });
  });
});
