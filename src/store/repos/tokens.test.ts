import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPglite } from '../../../test/support/store.js';
import type { Db } from '../db.js';
import { migrate } from '../migrate.js';
import { defaultSchemaDir } from '../schema-files.js';
import { countActiveAdminTokens, findTokenByHash, insertToken, listTokens, revokeToken } from './tokens.js';

/** 003_access: old single-role tokens become grants on '*'; the repository never lists hashes. */
describe('tokens with grants', () => {
  let db: Db;
  let scratch: string;
  beforeAll(async () => {
    db = await freshPglite({ migrated: false });
    scratch = await mkdtemp(join(tmpdir(), 'slipway-tokens-'));
    // The schema as it was before 003: a token had one role.
    for (const file of ['001_spine.sql', '002_verdicts.sql'])
      await cp(join(fileURLToPath(defaultSchemaDir), file), join(scratch, file));
    await migrate(db, { schemaDir: scratch });
    await db.query(
      `insert into tokens (id, name, hash, role) values ('tok_old', 'old admin', 'aa', 'admin'), ('tok_ci', 'old ` +
        `ci', 'bb', 'deployer')`,
    );
    await migrate(db);
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it("migrates each old role to the same role on '*' and drops the role column", async () => {
    expect((await findTokenByHash(db, 'aa'))?.grants).toEqual([{ role: 'admin', environments: '*' }]);
    expect((await findTokenByHash(db, 'bb'))?.grants).toEqual([{ role: 'deployer', environments: '*' }]);
    const { rows } = await db.query(
      `select column_name from information_schema.columns where table_name = 'tokens' and column_name = 'role'`,
    );
    expect(rows).toEqual([]);
    expect(await countActiveAdminTokens(db)).toBe(1);
  });

  it('lists without hashes; revoking is idempotent', async () => {
    await insertToken(db, {
      id: 'tok_new',
      name: 'new',
      hash: 'cc',
      grants: [{ role: 'viewer', environments: ['staging'] }],
      createdBy: 'old admin',
    });
    const listed = await listTokens(db);
    expect(listed.map((t) => t.id)).toContain('tok_new');
    expect(listed.some((t) => 'hash' in t)).toBe(false);
    expect(listed.find((t) => t.id === 'tok_new')).toMatchObject({
      createdBy: 'old admin',
      grants: [{ role: 'viewer', environments: ['staging'] }],
    });
    const first = await revokeToken(db, 'tok_old');
    const second = await revokeToken(db, 'tok_old');
    expect(first?.revokedAt).toBeInstanceOf(Date);
    expect(second?.revokedAt?.getTime()).toBe(first?.revokedAt?.getTime());
    expect(await revokeToken(db, 'tok_missing')).toBeUndefined();
    expect(await countActiveAdminTokens(db)).toBe(0);
  });

  it('refuses a token without grants', async () => {
    await expect(
      db.query(`insert into tokens (id, name, hash, grants) values ('tok_x', 'x', 'dd', '[]')`),
    ).rejects.toThrow(/tokens_grants_is_array/);
  });
});
