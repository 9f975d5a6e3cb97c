import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { earlierReleases, indexFile, readIndex, recordStart } from './release-index.js';

let store: string;
beforeEach(() => {
  store = mkdtempSync(path.join(tmpdir(), 'slipway-static-index-'));
});
afterEach(() => rmSync(store, { recursive: true, force: true }));

describe('release index', () => {
  it('orders releases per environment by their latest start, newest first', async () => {
    await recordStart(store, 'staging', '1.0.0', 'aaa');
    await recordStart(store, 'staging', '2.0.0', 'bbb');
    await recordStart(store, 'production', '1.0.0', 'aaa');
    await recordStart(store, 'staging', '3.0.0', 'ccc');
    let index = await readIndex(store);
    expect(index.environments).toEqual({ staging: ['3.0.0', '2.0.0', '1.0.0'], production: ['1.0.0'] });
    expect(earlierReleases(index, 'staging', '3.0.0', 2)).toEqual([
      { version: '2.0.0', tree: 'bbb' },
      { version: '1.0.0', tree: 'aaa' },
    ]);
    expect(earlierReleases(index, 'staging', '3.0.0', 0)).toEqual([]);
    expect(earlierReleases(index, 'production', '1.0.0', 3)).toEqual([]);
    // A rollback restarts 2.0.0: the newer 3.0.0 is now among its earlier releases (its pages are open somewhere).
    await recordStart(store, 'staging', '2.0.0', 'bbb');
    index = await readIndex(store);
    expect(earlierReleases(index, 'staging', '2.0.0', 1)).toEqual([{ version: '3.0.0', tree: 'ccc' }]);
  });

  it('records the tree of a version once: a release is immutable', async () => {
    await recordStart(store, 'staging', '1.0.0', 'aaa');
    await recordStart(store, 'staging', '1.0.0', 'zzz');
    expect((await readIndex(store)).versions).toEqual({ '1.0.0': 'aaa' });
  });

  it('starts afresh from a missing or damaged index', async () => {
    expect(await readIndex(store)).toEqual({ versions: {}, environments: {} });
    writeFileSync(indexFile(store), '{not json');
    expect(await readIndex(store)).toEqual({ versions: {}, environments: {} });
    await recordStart(store, 'staging', '1.0.0', 'aaa');
    expect((await readIndex(store)).environments.staging).toEqual(['1.0.0']);
  });
});

describe('concurrent starts', () => {
  it('lose no environment and no version', async () => {
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => recordStart(store, `env-${i % 4}`, `${i}.0.0`, `tree-${i}`)),
    );
    const index = await readIndex(store);
    expect(Object.keys(index.versions)).toHaveLength(12);
    expect(Object.values(index.environments).flat()).toHaveLength(12);
  });
});
