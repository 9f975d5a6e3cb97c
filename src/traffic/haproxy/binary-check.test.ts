import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHaproxyBinary } from './binary-check.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'slipway-hxbin-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** An executable script that prints `text` for `-v`. */
async function fakeBinary(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, `#!/bin/sh\necho '${text}'\n`);
  await chmod(file, 0o755);
  return file;
}

describe('checkHaproxyBinary', () => {
  it('accepts the installed HAProxy and reports its version', async () => {
    expect(await checkHaproxyBinary('/usr/sbin/haproxy')).toEqual({ ok: true, version: expect.stringMatching(/^2\./) });
  });

  it('names what is wrong with a missing, foreign or old binary', async () => {
    expect(await checkHaproxyBinary(path.join(dir, 'nothing'))).toEqual({ ok: false, problem: 'does not exist' });
    const old = await fakeBinary('old', 'HA-Proxy version 2.2.9-2 2021/01/23 - https://haproxy.org/');
    expect(await checkHaproxyBinary(old)).toEqual({
      ok: false,
      problem: 'is HAProxy 2.2.9-2, older than the 2.6 Slipway needs',
    });
    const other = await fakeBinary('other', 'nginx version: nginx/1.22.1');
    expect(await checkHaproxyBinary(other)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/is not HAProxy/),
    });
  });
});
