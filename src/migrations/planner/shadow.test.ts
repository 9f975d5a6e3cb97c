import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadMigrations } from '../files.js';
import type { Migration } from '../types.js';
import { syntheticHistory } from './bench-history.js';
import { describeStep } from './dry-run-report.js';
import { shadowDryRun } from './shadow.js';

describe('shadowDryRun (PGlite: history, then each pending migration up → down → up)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-shadow-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  /** Writes `NNNN_name.up.sql` (and `.down.sql` unless null) for each entry and loads them. */
  const migrations = async (files: [name: string, up: string, down: string | null][]): Promise<Migration[]> => {
    for (const [i, [name, up, down]] of files.entries()) {
      const id = `${String(i + 1).padStart(4, '0')}_${name}`;
      await writeFile(join(dir, `${id}.up.sql`), up);
      if (down !== null) await writeFile(join(dir, `${id}.down.sql`), down);
    }
    return loadMigrations(dir);
  };
  const base: [string, string, string] = [
    'create_vessels',
    'CREATE TABLE vessels (id int PRIMARY KEY, name text, tonnage integer DEFAULT 0);\n',
    'DROP TABLE vessels;\n',
  ];
  const summary = (steps: { direction: string; migration: string; ok: boolean }[]) =>
    steps.map((s) => `${s.direction} ${s.migration}${s.ok ? '' : ' ✗'}`);

  it('passes a history whose down scripts restore the schema exactly', async () => {
    const ids = syntheticHistory(20, dir);
    const report = await shadowDryRun({ migrations: loadMigrations(dir), appliedThrough: 0 });
    expect(report.ok).toBe(true);
    expect(summary(report.steps)).toEqual(ids.flatMap((id) => [`up ${id}`, `down ${id}`, `reup ${id}`]));
    expect(report.steps[0]!.changes?.map((d) => `${d.object} ${d.change}`)).toContain('table public.vessels added');
    expect(report.notes).toEqual([
      expect.stringMatching(/^4 statement\(s\) with CONCURRENTLY ran without it on the shadow database/),
    ]);
    expect(report.totalMs).toBeGreaterThan(0);
  });

  it(
    'reports a down script that forgets an index, naming exactly that index, and the re-up it then ' + 'breaks',
    async () => {
      const report = await shadowDryRun({
        appliedThrough: 0,
        migrations: await migrations([
          base,
          [
            'add_flag',
            'ALTER TABLE vessels ADD COLUMN flag text;\nCREATE INDEX vessels_name_idx ON vessels (name);\n',
            'ALTER TABLE vessels DROP COLUMN flag;\n',
          ],
        ]),
      });
      expect(report.ok).toBe(false);
      expect(summary(report.steps)).toEqual([
        'up 0001_create_vessels',
        'down 0001_create_vessels',
        'reup 0001_create_vessels',
        'up 0002_add_flag',
        'down 0002_add_flag ✗',
        'reup 0002_add_flag ✗',
      ]);
      const down = report.steps[4]!;
      expect(down.problem).toBe('down-mismatch');
      expect(down.differences).toEqual([
        {
          object: 'index public.vessels_name_idx',
          change: 'added',
          after: 'CREATE INDEX vessels_name_idx ON public.vessels USING btree (name)',
        },
      ]);
      expect(describeStep(down)).toEqual([
        expect.stringMatching(/^✗ down 0002_add_flag \(\d+ ms\)$/),
        '  after the down script the schema differs from before 0002_add_flag.up.sql:',
        '    index public.vessels_name_idx: added (CREATE INDEX vessels_name_idx ON public.vessels USING btree (name))',
      ]);
      // The leftover index is still there when the up runs again, right after its own down.
      const reup = report.steps[5]!;
      expect(reup.problem).toBe('error');
      expect(reup.error).toEqual({
        file: join(dir, '0002_add_flag.up.sql'),
        line: 2,
        col: 1,
        message: 'relation "vessels_name_idx" already exists',
        code: '42P07',
      });
      expect(reup.note).toBe(
        'the schema already differed after down 0002_add_flag (index public.vessels_name_idx); ' +
          'this may follow from that',
      );
    },
  );

  it(
    'reports a down script that recreates a column with another type and default once, and a later re-up that ' +
      'fails',
    async () => {
      const report = await shadowDryRun({
        appliedThrough: 1,
        migrations: await migrations([
          base,
          [
            'widen_tonnage',
            'ALTER TABLE vessels ALTER COLUMN tonnage TYPE numeric(10,2);\n',
            'ALTER TABLE vessels DROP COLUMN tonnage;\nALTER TABLE vessels ADD COLUMN tonnage bigint DEFAULT 1;\n',
          ],
          [
            'add_berth',
            'CREATE TABLE berths (id int PRIMARY KEY);\nCREATE INDEX berths_id_idx ON berths (id);\n',
            'DROP INDEX berths_id_idx;\n',
          ],
        ]),
      });
      expect(summary(report.steps)).toEqual([
        'up 0002_widen_tonnage',
        'down 0002_widen_tonnage ✗',
        'reup 0002_widen_tonnage',
        'up 0003_add_berth',
        'down 0003_add_berth ✗',
        'reup 0003_add_berth ✗',
      ]);
      expect(report.steps[1]!.differences).toEqual([
        {
          object: 'column public.vessels.tonnage',
          change: 'changed',
          before: 'position 3 integer default 0',
          after: 'position 3 bigint default 1',
        },
      ]);
      // The re-up gives numeric(10,2) back but keeps the down's default 1: already reported, so not again.
      expect(report.steps[2]).toMatchObject({ ok: true });
      // The leftover default is not a change of the next up (it was there before that up ran).
      expect(report.steps[3]!.changes?.map((d) => `${d.object} ${d.change}`)).toEqual([
        'column public.berths.id added',
        'constraint public.berths.berths_pkey added',
        'index public.berths_id_idx added',
        'index public.berths_pkey added',
        'table public.berths added',
      ]);
      // Only what this down got wrong: the tonnage leftover was reported by an earlier step.
      const down = report.steps[4]!;
      expect(down.differences?.map((d) => `${d.object} ${d.change}`)).toEqual([
        'column public.berths.id added',
        'constraint public.berths.berths_pkey added',
        'index public.berths_pkey added',
        'table public.berths added',
      ]);
      expect(down.note).toBe(
        'the schema already differed after down 0002_widen_tonnage (column public.vessels.tonnage); this may follow ' +
          'from that',
      );
      const reup = report.steps[5]!;
      expect(reup.problem).toBe('error');
      expect(reup.error).toEqual({
        file: join(dir, '0003_add_berth.up.sql'),
        line: 1,
        col: 1,
        message: 'relation "berths" already exists',
        code: '42P07',
      });
      expect(reup.note).toBe(
        'the schema already differed after down 0002_widen_tonnage, down 0003_add_berth (column public.berths.id, ' +
          'column public.vessels.tonnage, constraint public.berths.berths_pkey, …); this may follow from that',
      );
    },
  );

  it('reports a syntax error at file:line:col without throwing, and stops there', async () => {
    const report = await shadowDryRun({
      appliedThrough: 0,
      migrations: await migrations([
        base,
        ['broken', '-- slipway: phase=expand\nALTER TABLE vessels\n  ADD COLUMN flag texx DEFAULT;\n', 'SELECT 1;\n'],
      ]),
    });
    expect(report.ok).toBe(false);
    expect(summary(report.steps)).toEqual([
      'up 0001_create_vessels',
      'down 0001_create_vessels',
      'reup 0001_create_vessels',
      'up 0002_broken ✗',
    ]);
    expect(report.steps[3]!.error).toEqual({
      file: join(dir, '0002_broken.up.sql'),
      line: 3,
      col: 31,
      message: 'syntax error at or near ";"',
    });
  });

  it('reports a statement PostgreSQL rejects with its SQLSTATE, at the token it blames', async () => {
    const report = await shadowDryRun({
      appliedThrough: 0,
      migrations: await migrations([
        base,
        [
          'bad_column',
          'ALTER TABLE vessels ADD COLUMN flag text;\nCREATE VIEW vessel_flags AS\n  SELECT id, nope FROM vessels;\n',
          'ALTER TABLE vessels DROP COLUMN flag;\n',
        ],
      ]),
    });
    expect(summary(report.steps)).toEqual([
      'up 0001_create_vessels',
      'down 0001_create_vessels',
      'reup 0001_create_vessels',
      'up 0002_bad_column ✗',
    ]);
    const failed = report.steps[3]!;
    expect(failed.error).toEqual({
      file: join(dir, '0002_bad_column.up.sql'),
      line: 3,
      col: 14,
      message: 'column "nope" does not exist (hint: Perhaps you meant to reference the column "vessels.name".)',
      code: '42703',
    });
    expect(describeStep(failed)[1]).toBe(
      `  ${join(dir, '0002_bad_column.up.sql')}:3:14: column "nope" does not exist (hint: Perhaps you meant to ` +
        `reference the column "vessels.name".) [SQLSTATE 42703]`,
    );
  });

  it('runs CREATE INDEX CONCURRENTLY, alone or mixed with other statements, outside a transaction', async () => {
    const report = await shadowDryRun({
      appliedThrough: 0,
      migrations: await migrations([
        base,
        [
          'index_name',
          'CREATE INDEX CONCURRENTLY vessels_name_idx ON vessels (name);\n',
          'DROP INDEX CONCURRENTLY vessels_name_idx;\n',
        ],
        [
          'flag',
          'ALTER TABLE vessels ADD COLUMN flag text;\nCREATE INDEX CONCURRENTLY vessels_flag_idx ON vessels ' +
            '(flag);\nVACUUM vessels;\n',
          'DROP INDEX vessels_flag_idx;\nALTER TABLE vessels DROP COLUMN flag;\n',
        ],
      ]),
    });
    expect(report.ok).toBe(true);
    expect(summary(report.steps)).toEqual(
      ['0001_create_vessels', '0002_index_name', '0003_flag'].flatMap((id) => [`up ${id}`, `down ${id}`, `reup ${id}`]),
    );
    expect(report.steps[3]!.changes).toEqual([
      {
        object: 'index public.vessels_name_idx',
        change: 'added',
        after: 'CREATE INDEX vessels_name_idx ON public.vessels USING btree (name)',
      },
    ]);
    expect(report.steps[6]!.changes?.map((d) => d.object)).toEqual([
      'column public.vessels.flag',
      'index public.vessels_flag_idx',
    ]);
    expect(report.notes).toEqual([
      `3 statement(s) with CONCURRENTLY ran without it on the shadow database (a single PGlite backend cannot build ` +
        `concurrently; the schema is the same): ${join(dir, '0002_index_name.up.sql')}:1, ` +
        `${join(dir, '0002_index_name.down.sql')}:1, ${join(dir, '0003_flag.up.sql')}:2`,
    ]);
  });

  it(
    'applies an irreversible migration once with a note, and still checks the migrations on both sides of ' + 'it',
    async () => {
      const report = await shadowDryRun({
        appliedThrough: 0,
        migrations: await migrations([
          base,
          ['drop_tonnage', '-- slipway: irreversible\nALTER TABLE vessels DROP COLUMN tonnage;\n', null],
          ['add_flag', 'ALTER TABLE vessels ADD COLUMN flag text;\n', 'ALTER TABLE vessels DROP COLUMN flag;\n'],
        ]),
      });
      expect(report.ok).toBe(true);
      expect(summary(report.steps)).toEqual([
        'up 0001_create_vessels',
        'down 0001_create_vessels',
        'reup 0001_create_vessels',
        'up 0002_drop_tonnage',
        'up 0003_add_flag',
        'down 0003_add_flag',
        'reup 0003_add_flag',
      ]);
      expect(report.steps[3]!.changes).toEqual([
        { object: 'column public.vessels.tonnage', change: 'removed', before: 'position 3 integer default 0' },
      ]);
      expect(report.notes).toEqual([
        '0002_drop_tonnage is irreversible (declared, no down script): applied once, not undone',
      ]);
    },
  );

  it('reports a wrong down script below an irreversible migration', async () => {
    const report = await shadowDryRun({
      appliedThrough: 0,
      migrations: await migrations([
        base,
        [
          'require_name',
          'ALTER TABLE vessels ALTER COLUMN name SET NOT NULL;\n',
          '-- forgets DROP NOT NULL\nSELECT 1;\n',
        ],
        ['drop_tonnage', '-- slipway: irreversible\nALTER TABLE vessels DROP COLUMN tonnage;\n', null],
        ['add_flag', 'ALTER TABLE vessels ADD COLUMN flag text;\n', 'ALTER TABLE vessels DROP COLUMN flag;\n'],
      ]),
    });
    expect(report.ok).toBe(false);
    expect(summary(report.steps)).toEqual([
      'up 0001_create_vessels',
      'down 0001_create_vessels',
      'reup 0001_create_vessels',
      'up 0002_require_name',
      'down 0002_require_name ✗',
      'reup 0002_require_name',
      'up 0003_drop_tonnage',
      'up 0004_add_flag',
      'down 0004_add_flag',
      'reup 0004_add_flag',
    ]);
    const down = report.steps[4]!;
    expect(down.problem).toBe('down-mismatch');
    expect(down.differences).toEqual([
      {
        object: 'column public.vessels.name',
        change: 'changed',
        before: 'position 2 text',
        after: 'position 2 text not null',
      },
    ]);
    expect(report.notes).toEqual([
      '0003_drop_tonnage is irreversible (declared, no down script): applied once, not undone',
    ]);
  });

  it('applies the history through N without checking it, and says when nothing is pending', async () => {
    const files = await migrations([
      ['create_vessels', base[1], '-- forgets to drop the table\nSELECT 1;\n'],
      ['add_flag', 'ALTER TABLE vessels ADD COLUMN flag text;\n', 'ALTER TABLE vessels DROP COLUMN flag;\n'],
    ]);
    const report = await shadowDryRun({ migrations: files, appliedThrough: 1 });
    expect(report.ok).toBe(true);
    expect(report.appliedThrough).toBe(1);
    expect(summary(report.steps)).toEqual(['up 0002_add_flag', 'down 0002_add_flag', 'reup 0002_add_flag']);
    const none = await shadowDryRun({ migrations: files, appliedThrough: 2 });
    expect(none).toMatchObject({
      ok: true,
      steps: [],
      notes: ['nothing pending: every migration is at or below version 2'],
    });
  });

  it('reports a history that does not apply, and tries nothing pending', async () => {
    const report = await shadowDryRun({
      appliedThrough: 1,
      migrations: await migrations([
        ['create_vessels', 'CREATE TABLE vessels (id int REFERENCES missing (id));\n', 'DROP TABLE vessels;\n'],
        base,
      ]),
    });
    expect(report.ok).toBe(false);
    expect(report.steps).toEqual([
      expect.objectContaining({
        migration: '0001_create_vessels',
        direction: 'up',
        ok: false,
        error: expect.objectContaining({
          code: '42P01',
          message: 'relation "missing" does not exist',
          line: 1,
          col: 1,
        }),
      }),
    ]);
    expect(report.notes).toEqual([
      'the history (versions through 1) does not apply to an empty database: 0001_create_vessels failed, so nothing ' +
        'pending was tried',
    ]);
  });

  it('loads the PGlite bundle of an extension the migrations create, and explains one PGlite lacks', async () => {
    const ok = await shadowDryRun({
      appliedThrough: 0,
      migrations: await migrations([
        [
          'citext',
          'CREATE EXTENSION citext;\nCREATE TABLE crews (email citext PRIMARY KEY);\n',
          'DROP TABLE crews;\nDROP EXTENSION citext;\n',
        ],
      ]),
    });
    expect(ok.ok).toBe(true);
    expect(ok.steps[0]!.changes?.map((d) => d.object)).toContain('extension citext');
    await rm(dir, { recursive: true, force: true });
    dir = await mkdtemp(join(tmpdir(), 'slipway-shadow-'));
    const lacking = await shadowDryRun({
      appliedThrough: 0,
      migrations: await migrations([['postgis', 'CREATE EXTENSION postgis;\n', 'DROP EXTENSION postgis;\n']]),
    });
    expect(lacking.steps[0]!.error?.message).toMatch(
      /extension "postgis" is not available.*PGlite \(PostgreSQL 17 in WebAssembly\), which does not bundle "postgis"/,
    );
    expect(lacking.steps[0]!.error?.code).toBe('0A000');
  });
});
