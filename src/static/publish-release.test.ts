import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { viteLikeBuild, writeBuild } from '../../test/support/static-build.js';
import { publishRelease } from './publish-release.js';
import { readIndex } from './release-index.js';

let root: string;
let store: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'slipway-static-release-'));
  store = path.join(root, 'store');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('publishRelease', () => {
  it('publishes a version once, then serves that build whatever the directory holds later', async () => {
    const dir = path.join(root, 'dist'); // no {version}: each build overwrites the last
    writeBuild(dir, viteLikeBuild('1.0.0').files);
    const first = await publishRelease({ store, buildDir: dir, version: '1.0.0', environment: 'staging' });
    expect(first.source).toBe('published');
    expect(first.warnings).toEqual([]);

    rmSync(dir, { recursive: true });
    writeBuild(dir, viteLikeBuild('2.0.0').files);
    const second = await publishRelease({ store, buildDir: dir, version: '2.0.0', environment: 'staging' });
    expect(second.release.manifest.tree).not.toBe(first.release.manifest.tree);

    // Rolling back to 1.0.0 later: the directory holds 2.0.0's build now, but 1.0.0 is what 1.0.0 serves.
    const again = await publishRelease({ store, buildDir: dir, version: '1.0.0', environment: 'staging' });
    expect(again.source).toBe('recorded');
    expect(again.release.manifest.tree).toBe(first.release.manifest.tree);
    expect(again.warnings[0]).toMatch(/^release 1\.0\.0 was published from a different build/);
    rmSync(dir, { recursive: true });
    const gone = await publishRelease({ store, buildDir: dir, version: '1.0.0', environment: 'production' });
    expect(gone.release.manifest.tree).toBe(first.release.manifest.tree);
    expect(gone.warnings[0]).toContain(`build directory ${dir} does not exist`);

    const index = await readIndex(store);
    expect(index.environments).toEqual({ staging: ['1.0.0', '2.0.0'], production: ['1.0.0'] });
  });

  it('reuses the store directory of another version with the same files', async () => {
    const build = viteLikeBuild('1.0.0').files;
    writeBuild(path.join(root, 'a'), build);
    writeBuild(path.join(root, 'b'), build);
    const a = await publishRelease({ store, buildDir: path.join(root, 'a'), version: '1.0.0', environment: 's' });
    const b = await publishRelease({ store, buildDir: path.join(root, 'b'), version: '1.0.1', environment: 's' });
    expect(b.source).toBe('reused');
    expect(b.release.dir).toBe(a.release.dir);
  });

  it('says so when the store cannot be created', async () => {
    const file = path.join(root, 'file');
    writeBuild(root, { file: 'x', 'dist/index.html': 'x' });
    await expect(
      publishRelease({
        store: path.join(file, 'store'),
        buildDir: path.join(root, 'dist'),
        version: '1',
        environment: 's',
      }),
    ).rejects.toThrow(`cannot create the static store ${path.join(file, 'store')}`);
  });
});
