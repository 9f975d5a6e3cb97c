import { chmod, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adminTokenFileName, bearerChecker, loadAdminToken } from './admin-token.js';

describe('admin token', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-token-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('creates a private random token once and then reuses it', async () => {
    const racers = await Promise.all(Array.from({ length: 8 }, () => loadAdminToken(dir, {})));
    const [a, b] = racers;
    expect(new Set(racers).size).toBe(1);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(b).toBe(a);
    expect(await loadAdminToken(dir, {})).toBe(a);
    const file = path.join(dir, adminTokenFileName);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, 'utf8')).trim()).toBe(a);
    expect(await readdir(dir)).toEqual([adminTokenFileName]);
  });

  it('prefers SLIPWAY_PROXY_TOKEN and then creates no file', async () => {
    expect(await loadAdminToken(path.join(dir, 'sub'), { SLIPWAY_PROXY_TOKEN: ' from-env ' })).toBe('from-env');
    await expect(stat(path.join(dir, 'sub'))).rejects.toThrow();
  });

  it('refuses a token file other users can read', async () => {
    await loadAdminToken(dir, {});
    await chmod(path.join(dir, adminTokenFileName), 0o644);
    await expect(loadAdminToken(dir, {})).rejects.toThrow(/readable by other users; run: chmod 600/);
  });

  it('checks bearer tokens', () => {
    const check = bearerChecker('s3cret');
    expect(check('Bearer s3cret')).toBe(true);
    expect(check('Bearer s3cret2')).toBe(false);
    expect(check('Bearer ')).toBe(false);
    expect(check('Basic s3cret')).toBe(false);
    expect(check(undefined)).toBe(false);
  });
});
