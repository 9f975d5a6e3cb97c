import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LintJson } from '../../migrations/linter/format.js';
import { runLint } from './lint.js';

/**
 * `slipway migrate lint` in process: a migration is judged after the earlier files of its
 * directory (whether the directory or only the file is named), and the output says whether
 * lock_timeout was assumed.
 */
let root: string;
let migrations: string;
let output: string[];

function write(name: string, up: string): string {
  writeFileSync(path.join(migrations, `${name}.down.sql`), '');
  const file = path.join(migrations, `${name}.up.sql`);
  writeFileSync(file, up);
  return file;
}

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'slipway-lint-cli-'));
  migrations = path.join(root, 'migrations');
  mkdirSync(migrations);
  write('0001_ports', 'CREATE TABLE ports (id bigint PRIMARY KEY, locode varchar(5), name text);\n');
  write('0002_widen', 'ALTER TABLE ports ALTER COLUMN locode TYPE text;\n');
  write('0003_check', 'ALTER TABLE ports ADD CONSTRAINT name_required CHECK (name IS NOT NULL) NOT VALID;\n');
  write('0004_validate', 'ALTER TABLE ports VALIDATE CONSTRAINT name_required;\n');
  write('0005_not_null', 'ALTER TABLE ports ALTER COLUMN name SET NOT NULL;\n');
  writeFileSync(
    path.join(root, 'slipway.yaml'),
    `project: ports
coordinator: { listen: 127.0.0.1:1 }
environments:
  staging: { listen: 127.0.0.1:18081 }
services:
  api: { command: node, args: [server.js] }
database: { url: env:PORTS_DATABASE_URL, migrations: migrations, lockTimeout: 500ms }
`,
  );
});
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

async function lint(files: string[], opts: { dir?: string; json?: boolean }, config?: string) {
  output = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    output.push(String(chunk));
    return true;
  });
  const code = await runLint(config ? { config } : {}, files, opts);
  vi.restoreAllMocks();
  return { code, text: output.join('') };
}

const findingsOf = (doc: LintJson) => doc.files.flatMap((f) => f.statements.flatMap((s) => s.findings));

describe('migrate lint across the history', () => {
  it('with --dir, judges 0002 and 0005 against what 0001, 0003 and 0004 did', async () => {
    const { code, text } = await lint([], { dir: migrations, json: true }, path.join(root, 'slipway.yaml'));
    const doc = JSON.parse(text) as LintJson;
    expect(findingsOf(doc).map((f) => f.rule)).toEqual(['prefer-text']);
    expect(doc.files.map((f) => f.statements[0]!.class)).toEqual([
      'safe',
      'backward-compatible',
      'backward-compatible',
      'backward-compatible',
      'backward-compatible',
    ]);
    expect(code).toBe(0);
  });

  it('naming only later files, reads the earlier ones of their directory without reporting them', async () => {
    const files = [path.join(migrations, '0005_not_null.up.sql'), path.join(migrations, '0002_widen.up.sql')];
    const { code, text } = await lint(files, { json: true }, path.join(root, 'slipway.yaml'));
    const doc = JSON.parse(text) as LintJson;
    expect(doc.files.map((f) => path.basename(f.file))).toEqual(['0005_not_null.up.sql', '0002_widen.up.sql']);
    expect(findingsOf(doc)).toEqual([]);
    expect(code).toBe(0);
  });

  it('a file outside a migrations directory is linted on its own', async () => {
    const loose = path.join(root, 'loose.sql');
    writeFileSync(loose, 'ALTER TABLE ports ALTER COLUMN locode TYPE text;\n');
    const { code, text } = await lint([loose], { json: true }, path.join(root, 'slipway.yaml'));
    expect(findingsOf(JSON.parse(text) as LintJson).map((f) => f.rule)).toEqual(['change-column-type']);
    expect(code).toBe(1);
  });
});

describe('the lock_timeout note', () => {
  it('inside a project with database:, says the runner sets lock_timeout and other tools must', async () => {
    const { text } = await lint([], { dir: migrations }, path.join(root, 'slipway.yaml'));
    expect(text).toContain(
      'note: ddl-without-lock-timeout not checked: slipway.yaml has a database section, so `slipway migrate ' +
        'apply` sets lock_timeout = 500ms',
    );
    expect(text).toContain('run these files with another tool and they need SET lock_timeout themselves');
    expect(text).not.toMatch(/ddl-without-lock-timeout locking/);
  });

  it('outside a project, says it was checked and flags the DDL', async () => {
    const { code, text } = await lint([], { dir: migrations, json: true });
    const doc = JSON.parse(text) as LintJson;
    expect(doc.notes).toEqual([expect.stringMatching(/^ddl-without-lock-timeout checked: no slipway\.yaml/)]);
    expect(findingsOf(doc).map((f) => f.rule)).toContain('ddl-without-lock-timeout');
    expect(code).toBe(1);
  });
});
