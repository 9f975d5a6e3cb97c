import { appendFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSlipway } from './support/cli.js';
import { repoRoot } from './support/entry.js';
import { freshPostgres, type FreshPostgres } from './support/store.js';

/**
 * `slipway migrate …` as a user runs it: a real process, the example's migrations, a real
 * PostgreSQL. No coordinator runs here, so contract migrations cannot know which releases are
 * live and are refused unless the user says --ignore-live-releases.
 */
const example = path.join(repoRoot, 'examples/harbor-quote/migrations');
let dir: string;
let database: FreshPostgres;

function workspace(name: string): string {
  const ws = path.join(dir, name);
  cpSync(example, path.join(ws, 'migrations'), { recursive: true });
  writeFileSync(
    path.join(ws, 'slipway.yaml'),
    `project: harbor-quote
coordinator: { listen: 127.0.0.1:1 }
environments:
  staging: { listen: 127.0.0.1:18081 }
services:
  quote-api: { command: node, args: [server.js] }
database: { url: env:HARBOR_DATABASE_URL, migrations: migrations, lockTimeout: 500ms }
`,
  );
  return ws;
}

const slipway = (cwd: string, args: string[], env: Record<string, string> = {}) =>
  runSlipway(args, { cwd, env: { HARBOR_DATABASE_URL: database.url, SLIPWAY_TOKEN: 'slw_unused', ...env } });

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'slipway-migrate-cli-'));
  database = await freshPostgres({ migrated: false });
});
afterAll(async () => {
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('slipway migrate lint', () => {
  it('passes the example (its contract drop is allowed by phase=contract) and exits 0', async () => {
    const r = await runSlipway(['migrate', 'lint', '--dir', example]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/0005_drop_quotes_model\.up\.sql:\d+:1 drop-column data-loss \(allowed: phase=contract/);
    expect(r.stdout).toMatch(/5 files, 13 statements .* 0 blocking findings, 1 allowed/);
  });

  it(
    'a rename fails with file:line:col, rule, class and the expand/contract recipe; --json says the ' + 'same',
    async () => {
      const file = path.join(dir, 'rename.sql');
      writeFileSync(file, "set lock_timeout = '1s';\n\nalter table vessels\n  rename column name to vessel_name;\n");
      const r = await runSlipway(['migrate', 'lint', file], { cwd: dir });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^rename\.sql:3:1 rename-column breaking .*vessels\.name/m);
      expect(r.stdout).toMatch(/→ .*expand/i);
      const json = JSON.parse((await runSlipway(['migrate', 'lint', '--json', file], { cwd: dir })).stdout);
      expect(json.ok).toBe(false);
      expect(json.files[0].statements[1]).toMatchObject({
        class: 'breaking',
        line: 3,
        findings: [{ rule: 'rename-column', allowedBecause: null }],
      });
    },
  );

  it('an allow directive with a reason lets it pass', async () => {
    const file = path.join(dir, 'allowed.sql');
    writeFileSync(
      file,
      "set lock_timeout = '1s';\n-- slipway: allow rename-column because no release reads this column yet\nalter " +
        'table vessels rename column name to vessel_name;\n',
    );
    const r = await runSlipway(['migrate', 'lint', file], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/rename-column breaking \(allowed: no release reads this column yet\)/);
  });

  it('SQL that does not parse: the parser message at file:line:col, exit 1, never a crash', async () => {
    const file = path.join(dir, 'broken.sql');
    writeFileSync(file, 'create table a (id int);\nalter table a add colum b int;\n');
    const r = await runSlipway(['migrate', 'lint', file], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/broken\.sql:2:\d+ parse-error syntax error at or near "int"/);
  });

  it('a gap in numbering is refused naming the file, exit 2', async () => {
    const gap = path.join(dir, 'gap');
    cpSync(example, gap, { recursive: true });
    rmSync(path.join(gap, '0003_quotes_currency.up.sql'));
    rmSync(path.join(gap, '0003_quotes_currency.down.sql'));
    const r = await runSlipway(['migrate', 'lint', '--dir', gap]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/0004_validate_currency\.up\.sql: gap in numbering: version 3 is missing before 4/);
  });
});

describe('slipway migrate plan', () => {
  it('a down script that does not restore the schema is reported with the differing object, exit 1', async () => {
    const wrong = path.join(dir, 'wrong-down');
    cpSync(example, wrong, { recursive: true });
    // Forgets the index the up script built.
    writeFileSync(path.join(wrong, '0002_add_flag_state.down.sql'), 'alter table vessels drop column flag_state;\n');
    writeFileSync(
      path.join(wrong, '0002_add_flag_state.up.sql'),
      "-- slipway: phase=expand\nset lock_timeout = '1s';\nalter table vessels add column flag_state text;\ncreate " +
        'index concurrently vessels_flag_state_idx on vessels (flag_state);\ncreate index concurrently ' +
        'vessels_name_idx on vessels (name);\n',
    );
    const r = await runSlipway(['migrate', 'plan', '--dir', wrong, '--from', '0']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ down 0002_add_flag_state/);
    expect(r.stdout).toMatch(/index public\.vessels_name_idx: added/);
  });
});

describe('slipway migrate plan --against', () => {
  it('runs the plan on a real database inside a transaction that is rolled back, showing the locks it ' +
    'took', async () => {
    const db = await freshPostgres({ migrated: false });
    try {
      const setup = new pg.Client({ connectionString: db.url });
      await setup.connect();
      try {
        // The database as 0001 left it, with data: the plan of 0002..0005 touches real tables.
        await setup.query((await import('node:fs')).readFileSync(path.join(example, '0001_vessels.up.sql'), 'utf8'));
        await setup.query(
          "insert into vessels (imo_number, name, vessel_class, tonnage) values ('9321483', 'Nordic Star', 'bulk', " +
            '82000)',
        );
        const r = await runSlipway(['migrate', 'plan', '--dir', example, '--from', '1', '--against', db.url]);
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/against 127\.0\.0\.1:\d+\/slipway_test_\w+ \(one transaction, rolled back\)/);
        expect(r.stdout).toMatch(/0003_quotes_currency:\d+ .*quotes AccessExclusiveLock/);
        expect(r.stdout).toMatch(/0002_add_flag_state:5 not run: .*CONCURRENTLY/);
        // rows is the planner's estimate (reltuples, or the statistics counter, which may lag a fresh insert)
        expect(r.stdout).toMatch(/table public\.vessels: \d+ KiB, ~\d+ rows/);
        // Rolled back: nothing of 0002..0005 is there.
        const { rows } = await setup.query(
          "select column_name from information_schema.columns where table_name = 'quotes' and column_name in " +
            "('currency', 'model')",
        );
        expect(rows).toEqual([{ column_name: 'model' }]);
      } finally {
        await setup.end();
      }
    } finally {
      await db.drop();
    }
  }, 60_000);
});

describe('slipway migrate apply / status / rollback on PostgreSQL', () => {
  let ws: string;
  beforeAll(() => {
    ws = workspace('apply');
  });

  it('applies the expands, and refuses the contract when it cannot ask the coordinator which releases are ' +
    'live', async () => {
    const r = await slipway(ws, ['migrate', 'apply', '--env', 'staging']);
    expect(r.stdout).toMatch(/applied 4 migration\(s\)/);
    expect(r.stdout).toMatch(
      /waiting: 0005_drop_quotes_model not applied: cannot ask the coordinator which releases are live/,
    );
    expect(r.code).toBe(0);
    const status = await slipway(ws, ['migrate', 'status', '--env', 'staging']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(
      /5\s+0005_drop_quotes_model\s+contract\s+pending.*unknown: cannot ask the coordinator/,
    );
    expect(status.stdout).toMatch(/4\s+0004_validate_currency\s+expand\s+applied/);
  }, 60_000);

  it('--ignore-live-releases applies the contract; an irreversible migration cannot be rolled back', async () => {
    const r = await slipway(ws, ['migrate', 'apply', '--env', 'staging', '--ignore-live-releases']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/applied 1 migration\(s\)/);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query(
        "select column_name from information_schema.columns where table_name = 'quotes' and column_name = 'model'",
      );
      expect(rows).toEqual([]);
    } finally {
      await client.end();
    }
    const refused = await slipway(ws, ['migrate', 'rollback', '--env', 'staging']);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(/0005_drop_quotes_model\.up\.sql/);
  }, 60_000);

  it('rollback --to runs the downs newest first, refusing data-losing ones unless allowed', async () => {
    const ws2 = workspace('rollback');
    const db2 = await freshPostgres({ migrated: false });
    try {
      const env = { HARBOR_DATABASE_URL: db2.url };
      expect((await slipway(ws2, ['migrate', 'apply', '--to', '3'], env)).code).toBe(0);
      const refused = await slipway(ws2, ['migrate', 'rollback', '--to', '1'], env);
      expect(refused.code).toBe(5);
      expect(refused.stderr).toMatch(/loses data; pass --allow-data-loss/);
      const done = await slipway(ws2, ['migrate', 'rollback', '--to', '1', '--allow-data-loss', '--json'], env);
      expect(done.code).toBe(0);
      expect(JSON.parse(done.stdout)).toEqual({ rolledBack: ['0002_add_flag_state', '0003_quotes_currency'], at: 1 });
    } finally {
      await db2.drop();
    }
  }, 60_000);

  it('an edited applied migration is drift: status exits 1, apply is refused naming the file', async () => {
    appendFileSync(path.join(ws, 'migrations', '0003_quotes_currency.up.sql'), '-- edited after it was applied\n');
    const status = await slipway(ws, ['migrate', 'status', '--env', 'staging']);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/0003_quotes_currency\s+expand\s+drift/);
    const apply = await slipway(ws, ['migrate', 'apply', '--env', 'staging']);
    expect(apply.code).not.toBe(0);
    expect(apply.stderr).toMatch(/0003_quotes_currency\.up\.sql/);
  }, 60_000);

  it('an unreachable database: one line naming host:port/database, no password, exit 6', async () => {
    const r = await slipway(ws, ['migrate', 'status', '--env', 'staging'], {
      HARBOR_DATABASE_URL: 'postgres://app:s3cret-pw@127.0.0.1:1/harbor',
    });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/127\.0\.0\.1:1\/harbor/);
    expect(r.stderr).not.toMatch(/s3cret-pw/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('an unset database variable names the key and the variable', async () => {
    const r = await runSlipway(['migrate', 'status'], { cwd: ws, env: { HARBOR_DATABASE_URL: '' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/database\.url: environment variable HARBOR_DATABASE_URL is not set/);
  });
});
