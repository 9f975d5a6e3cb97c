import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb } from '../../../test/support/store.js';
import type { Db } from '../../store/db.js';
import { SecretVault } from './vault.js';

let db: Db;
let dir: string;
let vault: SecretVault;
const production = { project: 'harbor', environment: 'production' };
const staging = { project: 'harbor', environment: 'staging' };

beforeAll(async () => {
  db = await freshDb();
  await db.query(`insert into projects (name, config, digest) values ('harbor', '{}'::jsonb, 'x')`);
  dir = mkdtempSync(path.join(tmpdir(), 'slipway-vault-'));
  vault = SecretVault.open(db, dir, {});
});
afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the secret vault', () => {
  it('versions a secret per environment; the latest wins and the store holds only ciphertext', async () => {
    expect(await vault.set(production, 'DB_PASSWORD', 'first-plaintext', 'ci')).toEqual({
      name: 'DB_PASSWORD',
      version: 1,
    });
    expect(await vault.set(production, 'DB_PASSWORD', 'second-plaintext', 'ops')).toEqual({
      name: 'DB_PASSWORD',
      version: 2,
    });
    await vault.set(staging, 'DB_PASSWORD', 'staging-plaintext');
    expect(await vault.reveal(production, 'DB_PASSWORD')).toEqual({
      name: 'DB_PASSWORD',
      version: 2,
      value: 'second-plaintext',
    });
    expect(await vault.environmentFor(staging)).toEqual({ DB_PASSWORD: 'staging-plaintext' });
    const listed = await vault.list(production);
    expect(listed).toEqual([{ name: 'DB_PASSWORD', version: 2, updatedAt: expect.any(Date), updatedBy: 'ops' }]);

    const { rows } = await db.query<{ dump: string }>(`select string_agg(t::text, ' ') as dump from secrets t`);
    expect(rows[0]!.dump).not.toMatch(/plaintext/);
    // Old versions are kept.
    expect(
      (await db.query(`select version from secrets where environment = 'production' order by version`)).rows,
    ).toEqual([{ version: 1 }, { version: 2 }]);
  });

  it('unset hides every version, keeps the rows, and a later set continues the numbering', async () => {
    await vault.set(production, 'API_KEY', 'a');
    expect(await vault.unset(production, 'API_KEY')).toEqual({ name: 'API_KEY', version: 1 });
    expect((await vault.list(production)).map((s) => s.name)).toEqual(['DB_PASSWORD']);
    await expect(vault.reveal(production, 'API_KEY')).rejects.toThrow(
      'no secret API_KEY in harbor/production (slipway secrets list --env production shows them)',
    );
    await expect(vault.unset(production, 'API_KEY')).rejects.toMatchObject({ code: 'not_found' });
    expect(await vault.set(production, 'API_KEY', 'b')).toEqual({ name: 'API_KEY', version: 2 });
    expect((await vault.environmentFor(production)).API_KEY).toBe('b');
  });

  it('refuses names that are not variables or that Slipway sets itself, and values no variable can hold', async () => {
    await expect(vault.set(production, '1PASSWORD', 'x')).rejects.toThrow(
      /secret name "1PASSWORD" is not an environment variable name/,
    );
    await expect(vault.set(production, 'PORT', 'x')).rejects.toThrow(/secret name "PORT" is reserved/);
    await expect(vault.set(production, 'slipway_token', 'x')).rejects.toThrow(/is reserved/);
    await expect(vault.set(production, 'BIG', 'x'.repeat(70_000))).rejects.toThrow(
      /secret BIG is 70000 bytes; at most 65536/,
    );
    await expect(vault.set(production, 'NUL', 'a\0b')).rejects.toThrow(/contains a NUL byte/);
  });

  it('concurrent sets of one secret each get their own version', async () => {
    const results = await Promise.all(['x', 'y', 'z'].map((v) => vault.set(staging, 'RACE', v)));
    expect(results.map((r) => r.version).sort()).toEqual([1, 2, 3]);
  });

  it('a vault with another master key cannot read the rows, and says which key they need', async () => {
    const otherDir = mkdtempSync(path.join(tmpdir(), 'slipway-vault-'));
    try {
      const stranger = SecretVault.open(db, otherDir, {});
      await expect(stranger.reveal(production, 'DB_PASSWORD')).rejects.toThrow(
        `is encrypted under master key ${vault.currentKeyId}, which this coordinator does not have`,
      );
      expect(await stranger.missingKeys()).toEqual([{ masterKeyId: vault.currentKeyId, rows: expect.any(Number) }]);
      expect(await vault.missingKeys()).toEqual([]);
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });
});
