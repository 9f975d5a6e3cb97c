import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb } from '../../../test/support/store.js';
import type { Db } from '../../store/db.js';
import { countSecretsByMasterKey } from '../../store/repos/secrets.js';
import { keyFilePaths, readKeyFile } from './key-files.js';
import { SecretVault } from './vault.js';
import * as OTPAuth from 'otpauth';
import { findUser, insertUser, setPendingTotp } from '../../store/repos/users.js';
import { checkTotp, newTotpSecret } from '../totp.js';

let db: Db;
let dir: string;
const scopes = [
  { project: 'harbor', environment: 'staging' },
  { project: 'harbor', environment: 'production' },
];
/** name → value per environment, two versions of some, one unset. */
const expected = new Map<string, Record<string, string>>();

async function readAll(vault: SecretVault): Promise<Map<string, Record<string, string>>> {
  const all = new Map<string, Record<string, string>>();
  for (const scope of scopes) all.set(scope.environment, await vault.environmentFor(scope));
  return all;
}

beforeAll(async () => {
  db = await freshDb();
  await db.query(`insert into projects (name, config, digest) values ('harbor', '{}'::jsonb, 'x')`);
  dir = mkdtempSync(path.join(tmpdir(), 'slipway-rotate-'));
  const vault = SecretVault.open(db, dir, {});
  for (const scope of scopes) {
    const values: Record<string, string> = {};
    for (let i = 0; i < 6; i++) {
      await vault.set(scope, `SECRET_${i}`, `old-${scope.environment}-${i}`);
      values[`SECRET_${i}`] = `${scope.environment}-${i}`;
      await vault.set(scope, `SECRET_${i}`, values[`SECRET_${i}`]!);
    }
    await vault.set(scope, 'GONE', 'x');
    await vault.unset(scope, 'GONE');
    expected.set(scope.environment, values);
  }
});
afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('master key rotation', () => {
  it(
    'a rotation killed midway leaves every secret readable, after a restart too, and the re-run completes ' + 'it',
    async () => {
      const vault = SecretVault.open(db, dir, {});
      const oldKey = vault.currentKeyId;
      const total = 2 * (6 * 2 + 1);
      await expect(
        vault.rotateKey({
          batchSize: 4,
          onRewrapped: (n) => {
            if (n === 9) throw new Error('killed after 9 rows');
          },
        }),
      ).rejects.toThrow('killed after 9 rows');

      const files = keyFilePaths(dir);
      const nextKey = readKeyFile(files.next).id;
      expect(await countSecretsByMasterKey(db)).toEqual({ [oldKey]: total - 9, [nextKey]: 9 });
      expect(statSync(files.next).mode & 0o777).toBe(0o600);
      // The same coordinator, and a restarted one (keys loaded from the files), read everything.
      expect(await readAll(vault)).toEqual(expected);
      const restarted = SecretVault.open(db, dir, {});
      expect(restarted.currentKeyId).toBe(oldKey);
      expect(await readAll(restarted)).toEqual(expected);
      // A secret set mid-rotation is wrapped under the old key and picked up by the re-run.
      await restarted.set(scopes[0]!, 'LATE', 'late-value');
      expected.get('staging')!.LATE = 'late-value';

      const result = await restarted.rotateKey();
      expect(result).toEqual({ previousKeyId: oldKey, currentKeyId: nextKey, rewrapped: total - 9 + 1 });
      expect(await countSecretsByMasterKey(db)).toEqual({ [nextKey]: total + 1 });
      expect(existsSync(files.next)).toBe(false);
      expect(readKeyFile(files.current).id).toBe(nextKey);
      expect(readKeyFile(files.previous).id).toBe(oldKey);
      expect(await readAll(restarted)).toEqual(expected);

      // Only the new key is needed now: a coordinator with master.key alone reads everything.
      rmSync(files.previous);
      const fresh = SecretVault.open(db, dir, {});
      expect(fresh.currentKeyId).toBe(nextKey);
      expect(await readAll(fresh)).toEqual(expected);
      // Old versions (and unset secrets) were re-wrapped too.
      expect(await fresh.missingKeys()).toEqual([]);
    },
  );

  it('a second rotation moves everything again; one at a time; an environment key cannot be rotated', async () => {
    const vault = SecretVault.open(db, dir, {});
    const before = vault.currentKeyId;
    const [first, second] = await Promise.allSettled([vault.rotateKey(), vault.rotateKey()]);
    expect(second).toMatchObject({
      status: 'rejected',
      reason: { code: 'conflict', message: 'a master key rotation is already running; wait for it to finish' },
    });
    expect(first).toMatchObject({ status: 'fulfilled', value: { previousKeyId: before } });
    expect(vault.currentKeyId).not.toBe(before);
    expect(Object.keys(await countSecretsByMasterKey(db))).toEqual([vault.currentKeyId]);
    expect(await readAll(vault)).toEqual(expected);

    const fromEnv = SecretVault.open(db, dir, { SLIPWAY_MASTER_KEY: Buffer.alloc(32, 1).toString('base64') });
    await expect(fromEnv.rotateKey()).rejects.toThrow(
      /the master key comes from SLIPWAY_MASTER_KEY, which Slipway cannot replace/,
    );
  });

  it("users' TOTP secrets move to the new key with the secrets, so the old key can go", async () => {
    const vault = SecretVault.open(db, dir, {});
    await insertUser(db, { name: 'dana', passwordHash: 'unused-here', grants: [{ role: 'admin', environments: '*' }] });
    const { uri, sealed } = newTotpSecret('dana', vault.keyring);
    await setPendingTotp(db, 'dana', sealed);
    const { currentKeyId } = await vault.rotateKey();
    const stored = (await findUser(db, 'dana'))!.totpSecret!;
    expect(stored.masterKeyId).toBe(currentKeyId);
    rmSync(keyFilePaths(dir).previous);
    const fresh = SecretVault.open(db, dir, {});
    const now = Date.now();
    const code = (OTPAuth.URI.parse(uri) as OTPAuth.TOTP).generate({ timestamp: now });
    expect(checkTotp('dana', stored, code, fresh.keyring, now)).toBe(true);
  });
});
