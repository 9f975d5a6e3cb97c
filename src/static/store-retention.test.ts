import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readIndex, recordStart } from './release-index.js';
import { pruneStore, retainedPerEnvironment } from './store-retention.js';

let store: string;
beforeEach(() => {
  store = mkdtempSync(path.join(tmpdir(), 'slipway-static-prune-'));
});
afterEach(() => rmSync(store, { recursive: true, force: true }));

const tree = (n: number) => n.toString(16).padStart(64, '0');
const dayAgo = new Date(Date.now() - 24 * 3600_000);

/** A published build directory, last touched a day ago. */
function published(n: number): void {
  mkdirSync(path.join(store, tree(n)));
  utimesSync(path.join(store, tree(n)), dayAgo, dayAgo);
}

describe('pruneStore', () => {
  it("deletes builds no environment's recent releases use, with their versions", async () => {
    const total = retainedPerEnvironment + 3;
    for (let i = 1; i <= total; i++) {
      published(i);
      await recordStart(store, 'staging', `${i}.0.0`, tree(i));
    }
    await recordStart(store, 'production', '1.0.0', tree(1)); // still live in production: kept
    const removed = await pruneStore(store);
    expect(removed.sort()).toEqual([tree(2), tree(3)]);
    expect(existsSync(path.join(store, tree(1)))).toBe(true);
    expect(existsSync(path.join(store, tree(2)))).toBe(false);
    expect(existsSync(path.join(store, tree(4)))).toBe(true);
    const index = await readIndex(store);
    expect(index.versions['2.0.0']).toBeUndefined();
    expect(index.versions['1.0.0']).toBe(tree(1));
    expect(index.environments.staging).toHaveLength(retainedPerEnvironment + 1); // 1.0.0 stays listed
    expect(index.environments.staging).not.toContain('3.0.0');
  });

  it('leaves recently touched builds and anything else in the store alone', async () => {
    mkdirSync(path.join(store, tree(7))); // just published, not yet recorded
    published(8);
    mkdirSync(path.join(store, '.tmp-x'));
    expect(await pruneStore(store)).toEqual([tree(8)]);
    expect(existsSync(path.join(store, tree(7)))).toBe(true);
    expect(existsSync(path.join(store, '.tmp-x'))).toBe(true);
  });
});
