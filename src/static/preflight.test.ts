import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeBuild } from '../../test/support/static-build.js';
import { staticReleaseProblem } from './preflight.js';
import { publishRelease } from './publish-release.js';

let root: string;
let store: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'slipway-static-preflight-'));
  store = path.join(root, 'store');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('staticReleaseProblem', () => {
  it('names a missing directory, a file, and a build without index.html', async () => {
    const missing = path.join(root, 'missing');
    expect(await staticReleaseProblem({ store, buildDir: missing, version: '1' })).toBe(
      `build directory ${missing} does not exist`,
    );
    writeFileSync(path.join(root, 'file'), 'x');
    expect(await staticReleaseProblem({ store, buildDir: path.join(root, 'file'), version: '1' })).toBe(
      `build directory ${path.join(root, 'file')} is not a directory`,
    );
    writeBuild(path.join(root, 'dist'), { 'assets/a.js': 'x' });
    expect(await staticReleaseProblem({ store, buildDir: path.join(root, 'dist'), version: '1' })).toMatch(
      /^no index\.html in build directory .*\/dist: static\.dir must name a build/,
    );
  });

  it('passes a build with index.html, and a version already published even when its directory is gone', async () => {
    const dir = path.join(root, 'dist');
    writeBuild(dir, { 'index.html': '<p>1</p>' });
    expect(await staticReleaseProblem({ store, buildDir: dir, version: '1.0.0' })).toBeUndefined();
    await publishRelease({ store, buildDir: dir, version: '1.0.0', environment: 'staging' });
    rmSync(dir, { recursive: true });
    expect(await staticReleaseProblem({ store, buildDir: dir, version: '1.0.0' })).toBeUndefined();
    expect(await staticReleaseProblem({ store, buildDir: dir, version: '2.0.0' })).toBe(
      `build directory ${dir} does not exist`,
    );
  });
});
