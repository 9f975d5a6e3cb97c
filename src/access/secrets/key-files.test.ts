import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { keyFilePaths, loadKeyring, writeKeyFile } from './key-files.js';
import { generateMasterKey, parseMasterKey } from './master-key.js';

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'slipway-keys-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('master key files', () => {
  it('the first start creates master.key (0600) and later starts read the same key', () => {
    const dir = dataDir();
    const first = loadKeyring(dir, {});
    const file = keyFilePaths(dir).current;
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first.source).toBe('file');
    expect(first.current).toEqual(parseMasterKey(readFileSync(file, 'utf8'), 'x'));
    expect(loadKeyring(dir, {}).current.id).toBe(first.current.id);
    expect(existsSync(`${file}.tmp`)).toBe(false);
  });

  it('refuses a key file that group or others can read, naming the fix', () => {
    const dir = dataDir();
    loadKeyring(dir, {});
    const file = keyFilePaths(dir).current;
    chmodSync(file, 0o640);
    expect(() => loadKeyring(dir, {})).toThrow(
      `the master key file ${file} is accessible by group or others (mode 0640); run \`chmod 600 ${file}\``,
    );
  });

  it('SLIPWAY_MASTER_KEY wins over the key file, and a malformed one is refused', () => {
    const dir = dataDir();
    const key = generateMasterKey();
    const ring = loadKeyring(dir, { SLIPWAY_MASTER_KEY: key.key.toString('base64') });
    expect(ring).toMatchObject({ source: 'env', current: { id: key.id } });
    expect(existsSync(keyFilePaths(dir).current)).toBe(false);
    expect(() => loadKeyring(dir, { SLIPWAY_MASTER_KEY: 'c2hvcnQ=' })).toThrow(
      /SLIPWAY_MASTER_KEY must be the base64 of 32 random bytes .*decodes to 5 bytes/,
    );
  });

  it(
    'loads master.key.next and master.key.previous for reading, and finishes a rotation that died between its ' +
      'renames',
    () => {
      const dir = dataDir();
      const files = keyFilePaths(dir);
      const old = generateMasterKey();
      const next = generateMasterKey();
      writeKeyFile(files.current, old);
      writeKeyFile(files.next, next);
      const during = loadKeyring(dir, {});
      expect(during.current.id).toBe(old.id);
      expect(during.find(next.id)?.key).toEqual(next.key);

      // master.key already moved to .previous, .next not yet renamed.
      rmSync(files.current);
      writeKeyFile(files.previous, old);
      const after = loadKeyring(dir, {});
      expect(after.current.id).toBe(next.id);
      expect(after.find(old.id)?.key).toEqual(old.key);
      expect(existsSync(files.next)).toBe(false);
    },
  );

  it('a key file with junk in it is refused with its path', () => {
    const dir = dataDir();
    const file = keyFilePaths(dir).current;
    writeFileSync(file, 'hello\n', { mode: 0o600 });
    expect(() => loadKeyring(dir, {})).toThrow(
      `the master key file ${file} must be the base64 of 32 random bytes (e.g. \`openssl rand -base64 32\`), but it ` +
        `is not base64`,
    );
  });
});
