import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ResolvedService, StaticSiteConfig } from '../config/model.js';
import { harborBuild } from '../gates/testing/vite-build.js';
import { staticPreflight } from './release-preflight.js';

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A static service whose builds live in <root>/builds/{version}/dist. */
function site(budget?: StaticSiteConfig['budget']): { service: ResolvedService; dir: (v: string) => string } {
  root = mkdtempSync(path.join(tmpdir(), 'slipway-preflight-'));
  const template = path.join(root, 'builds', '{version}', 'dist');
  const service = {
    name: 'web',
    static: { dir: template, keep: 3, spa: true, ...(budget ? { budget } : {}) },
  } as unknown as ResolvedService;
  return { service, dir: (v) => template.replace('{version}', v) };
}

const check = (service: ResolvedService, version: string, stableVersion?: string) =>
  staticPreflight.check({
    project: 'harbor',
    environment: 'staging',
    service,
    version,
    ...(stableVersion ? { stableVersion } : {}),
    dataDir: path.join(root, 'data'),
  });

describe('the release preflight of a static service', () => {
  it('refuses a build without index.html, naming the directory', async () => {
    const { service, dir } = site();
    harborBuild(dir('1.0.0'));
    await expect(check(service, '1.0.0')).rejects.toMatchObject({
      code: 'invalid_input',
      message:
        `web 1.0.0: no index.html in build directory ${dir('1.0.0')}: static.dir must name a build (e.g. Vite's ` +
        'dist/) with index.html at its top',
    });
    writeFileSync(path.join(dir('1.0.0'), 'index.html'), '<!doctype html>');
    await expect(check(service, '1.0.0')).resolves.toBeUndefined();
  });

  it('refuses a build over its budget, naming the entry and its chunks', async () => {
    const { service, dir } = site();
    const template = service.static!.dir;
    service.static!.budget = {
      manifest: path.join(template, '.vite/manifest.json'),
      perEntryBytes: 100 * 1024,
      maxGrowth: 0.1,
    };
    for (const [v, vendor] of [
      ['1.0.0', 60_000],
      ['1.1.0', 66_000],
      ['2.0.0', 120_000],
    ] as const) {
      harborBuild(dir(v), { vendor });
      writeFileSync(path.join(dir(v), 'index.html'), '<!doctype html>');
    }
    await expect(check(service, '1.0.0')).resolves.toBeUndefined();
    await expect(check(service, '1.1.0', '1.0.0')).resolves.toBeUndefined(); // +6 KB of 85 KB: under 10 %
    const over = check(service, '2.0.0', '1.1.0');
    await expect(over).rejects.toMatchObject({ code: 'conflict' });
    await expect(over).rejects.toThrow(/web 2\.0\.0 is over its bundle budget \(static\.budget; gzip level 9/);
    await expect(over).rejects.toThrow(/entry index\.html is .* over its limit of 100 KB: assets\/vendor-B7PI925R\.js/);
  });
});
