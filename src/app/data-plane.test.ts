import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rawConfig } from '../../test/support/config.js';
import { validateConfigObject } from '../config/validate.js';
import { HaproxyRouter } from '../traffic/haproxy/haproxy-router.js';
import { ProxyRouter } from '../traffic/proxy/proxy-router.js';
import { dataPaths } from './data-dir.js';
import { buildDataPlane } from './data-plane.js';

let dir: string | undefined;
/** Every directory a test made: a test that builds two configs must not leave the first behind. */
const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

function configWith(proxy: Record<string, unknown>) {
  dir = mkdtempSync(path.join(tmpdir(), 'slipway-plane-'));
  made.push(dir);
  const config = validateConfigObject({ ...rawConfig(), proxy }, { baseDir: dir, file: 'slipway.yaml' });
  return { config, paths: dataPaths(config.dataDir) };
}

describe('buildDataPlane', () => {
  it('builds the router proxy.kind names (nothing is started yet)', async () => {
    const builtin = configWith({});
    expect((await buildDataPlane(builtin.config, builtin.paths)).router).toBeInstanceOf(ProxyRouter);
    const haproxy = configWith({ kind: 'haproxy' });
    const plane = await buildDataPlane(haproxy.config, haproxy.paths);
    expect({ kind: plane.kind, label: plane.label }).toEqual({ kind: 'haproxy', label: 'haproxy' });
    expect(plane.router).toBeInstanceOf(HaproxyRouter);
    expect(await plane.router.healthy()).toBe(false);
  });

  it('a haproxy binary that is not there: one line naming proxy.binary, the file and what to install', async () => {
    const { config, paths } = configWith({ kind: 'haproxy', binary: '/opt/nowhere/haproxy' });
    const error = await buildDataPlane(config, paths).catch((e: Error & { code?: string }) => e);
    expect(error).toMatchObject({ code: 'invalid_input' });
    expect((error as Error).message).toBe(
      `proxy.binary: /opt/nowhere/haproxy does not exist; install HAProxy 2.6 or later (Debian: apt-get install ` +
        `haproxy) or point proxy.binary in ${path.join(dir!, 'slipway.yaml')} at it`,
    );
  });
});
