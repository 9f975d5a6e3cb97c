import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runPlan } from './plan.js';

/**
 * `slipway migrate plan` in process (--from, so no database is asked): it lists each pending
 * statement with the class and lock lint gives it, judged against the applied history, and says
 * whether lock_timeout was assumed, as `migrate lint` does.
 */
let root: string;
let migrations: string;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'slipway-plan-cli-'));
  migrations = path.join(root, 'migrations');
  mkdirSync(migrations);
  const write = (name: string, up: string, down: string) => {
    writeFileSync(path.join(migrations, `${name}.up.sql`), up);
    writeFileSync(path.join(migrations, `${name}.down.sql`), down);
  };
  write(
    '0001_ports',
    'CREATE TABLE ports (id bigint PRIMARY KEY, locode varchar(5));\n' +
      'CREATE INDEX ports_locode_idx ON ports (locode);\n',
    'DROP TABLE ports;\n',
  );
  write(
    '0002_reindex',
    'ALTER TABLE ports ALTER COLUMN locode TYPE text;\nREINDEX (CONCURRENTLY false) INDEX ports_locode_idx;\n',
    'ALTER TABLE ports ALTER COLUMN locode TYPE varchar(5);\n',
  );
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function plan(from: number, json: boolean): Promise<{ code: number; text: string }> {
  const chunks: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    const code = await runPlan({}, { dir: migrations, from, json });
    return { code, text: chunks.join('') };
  } finally {
    vi.restoreAllMocks();
  }
}

describe('migrate plan', () => {
  it('--json carries the lock_timeout note even with nothing pending', async () => {
    const { code, text } = await plan(2, true);
    const doc = JSON.parse(text) as { pending: string[]; notes: string[] };
    expect(doc.pending).toEqual([]);
    expect(doc.notes).toEqual([expect.stringMatching(/^ddl-without-lock-timeout checked: no slipway\.yaml/)]);
    expect(code).toBe(0);
  });

  it('shows REINDEX (CONCURRENTLY false) as the plain form, no finding for varchar→text, and the note', async () => {
    const { code, text } = await plan(1, false);
    expect(text).toMatch(/1:1\s+locking\s+ACCESS EXCLUSIVE\s+AlterTableStmt {2}ddl-without-lock-timeout\n/);
    expect(text).toMatch(/2:1\s+locking\s+ACCESS EXCLUSIVE\s+ReindexStmt {2}reindex-not-concurrently\n/);
    expect(text).not.toMatch(/SHARE UPDATE EXCLUSIVE/);
    expect(text).not.toMatch(/change-column-type/);
    expect(text).toContain('note: ddl-without-lock-timeout checked: no slipway.yaml with a database section here');
    expect(code).toBe(1);
  }, 60_000);
});
