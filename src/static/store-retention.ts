/**
 * The store keeps what can still be served or rolled back to quickly: the builds of the releases
 * most recently started in each environment (more than `keep` can ever ask for). Older builds are
 * deleted, with their versions' index entries, so a later rollback that far back publishes the
 * build directory again. A directory touched in the last hour is never deleted: a server may have
 * just published or reused it and not yet recorded its start.
 */
import { readdir, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { type ReleaseIndex, updateIndex } from './release-index.js';

/** keep is at most 20, plus the release serving. */
export const retainedPerEnvironment = 21;
const minimumAgeMs = 60 * 60_000;

/** Delete the builds no environment's recent releases use; returns their tree digests. */
export async function pruneStore(store: string, now = Date.now()): Promise<string[]> {
  const removed: string[] = [];
  await updateIndex(store, async (index) => {
    const retained = new Set(
      Object.values(index.environments)
        .flatMap((versions) => versions.slice(0, retainedPerEnvironment))
        .map((version) => index.versions[version]),
    );
    for (const name of await readdir(store)) {
      if (!/^[0-9a-f]{64}$/.test(name) || retained.has(name)) continue;
      const dir = path.join(store, name);
      const modified = await stat(dir).then(
        (s) => s.mtimeMs,
        () => now,
      );
      if (now - modified < minimumAgeMs) continue;
      await rm(dir, { recursive: true, force: true });
      removed.push(name);
    }
    return withoutTrees(index, new Set(removed));
  });
  return removed;
}

/** Mark a build as in use now, so pruning leaves it alone while its server records its start. */
export async function touch(dir: string): Promise<void> {
  const now = new Date();
  await utimes(dir, now, now).catch(() => undefined);
}

function withoutTrees(index: ReleaseIndex, gone: Set<string>): ReleaseIndex {
  if (gone.size === 0) return index;
  const versions = Object.fromEntries(Object.entries(index.versions).filter(([, tree]) => !gone.has(tree)));
  const environments = Object.fromEntries(
    Object.entries(index.environments).map(([name, list]) => [name, list.filter((v) => versions[v] !== undefined)]),
  );
  return { versions, environments };
}
