import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { SlipwayError } from '../../shared/errors.js';
import { Keyring } from './keyring.js';
import { generateMasterKey, parseMasterKey, type MasterKey } from './master-key.js';

/** The key files in the data directory: the current key, the one a rotation moves to, the one it moved from. */
export function keyFilePaths(dataDir: string) {
  return {
    current: path.join(dataDir, 'master.key'),
    next: path.join(dataDir, 'master.key.next'),
    previous: path.join(dataDir, 'master.key.previous'),
  };
}

/** Read a key file, refusing one that group or others can read: a key anyone can read protects nothing. */
export function readKeyFile(file: string): MasterKey {
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new SlipwayError(
      'invalid_input',
      `the master key file ${file} is accessible by group or others (mode ${mode.toString(8).padStart(4, '0')}); ` +
        `run \`chmod 600 ${file}\``,
      { file },
    );
  }
  return parseMasterKey(readFileSync(file, 'utf8'), `the master key file ${file}`);
}

function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Write a new key file (0600) whole or not at all: written beside, flushed, then renamed, so a
 * crash never leaves a half-written key that would stop the next start.
 */
export function writeKeyFile(file: string, key: MasterKey): void {
  const tmp = `${file}.tmp`;
  rmSync(tmp, { force: true });
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `${key.key.toString('base64')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  fsyncDirectory(path.dirname(file));
}

/**
 * The keyring a coordinator starts with. SLIPWAY_MASTER_KEY (base64 of 32 bytes) wins when set;
 * otherwise `<dataDir>/master.key`, created on first start, plus `master.key.next` (a rotation
 * under way) and `master.key.previous` (the key rotated away from) when present.
 */
export function loadKeyring(dataDir: string, env: NodeJS.ProcessEnv = process.env): Keyring {
  const fromEnv = env.SLIPWAY_MASTER_KEY;
  if (fromEnv !== undefined && fromEnv !== '')
    return new Keyring(parseMasterKey(fromEnv, 'SLIPWAY_MASTER_KEY'), [], 'env');
  const files = keyFilePaths(dataDir);
  // A rotation that died between its two renames: every row is already under the next key.
  if (!existsSync(files.current) && existsSync(files.next)) renameSync(files.next, files.current);
  if (!existsSync(files.current)) writeKeyFile(files.current, generateMasterKey());
  const others = [files.next, files.previous].filter((f) => existsSync(f)).map(readKeyFile);
  return new Keyring(readKeyFile(files.current), others, 'file');
}

/** The key a rotation moves to: the one an interrupted rotation already wrote, or a new one. */
export function loadOrCreateNextKey(dataDir: string): MasterKey {
  const { next } = keyFilePaths(dataDir);
  if (existsSync(next)) return readKeyFile(next);
  const key = generateMasterKey();
  writeKeyFile(next, key);
  return key;
}

/**
 * End a rotation once every row is under the next key: the current key becomes
 * master.key.previous and the next key becomes master.key. A crash between the two renames is
 * finished by loadKeyring.
 */
export function promoteNextKey(dataDir: string): void {
  const files = keyFilePaths(dataDir);
  renameSync(files.current, files.previous);
  renameSync(files.next, files.current);
  fsyncDirectory(dataDir);
}
