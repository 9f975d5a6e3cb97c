/**
 * `<store>/index.json`: which tree each release version published (a version means one build,
 * like every Slipway release) and, per environment, the versions most recently started there,
 * newest first. The server reads it to know the earlier releases whose assets it still serves.
 * Written to a temporary file and renamed, so a reader never sees half of it.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface ReleaseIndex {
  /** Version → tree digest. */
  versions: Record<string, string>;
  /** Environment → versions, most recently started first. */
  environments: Record<string, string[]>;
}

/** How many versions an environment's list remembers (keep is at most 20, so this is ample). */
const remembered = 50;

export function indexFile(store: string): string {
  return path.join(store, 'index.json');
}

/** The index, or an empty one when there is none yet (or it cannot be parsed: it is rebuilt as releases start). */
export async function readIndex(store: string): Promise<ReleaseIndex> {
  try {
    const parsed = JSON.parse(await readFile(indexFile(store), 'utf8')) as Partial<ReleaseIndex>;
    return {
      versions: typeof parsed.versions === 'object' && parsed.versions !== null ? parsed.versions : {},
      environments: typeof parsed.environments === 'object' && parsed.environments !== null ? parsed.environments : {},
    };
  } catch {
    return { versions: {}, environments: {} };
  }
}

/**
 * Record that `version` (tree `tree`) started in `environment`: it moves to the front of that
 * environment's list. The version's tree is recorded the first time only: releases are immutable.
 */
export async function recordStart(store: string, environment: string, version: string, tree: string): Promise<void> {
  const index = await readIndex(store);
  const versions = Object.fromEntries(Object.entries(index.versions));
  versions[version] ??= tree;
  const list = (index.environments[environment] ?? []).filter((v) => v !== version);
  const environments = Object.fromEntries(Object.entries(index.environments));
  environments[environment] = [version, ...list].slice(0, remembered);
  const tmp = `${indexFile(store)}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(tmp, `${JSON.stringify({ versions, environments }, null, 2)}\n`);
  await rename(tmp, indexFile(store));
}

/**
 * The releases whose assets `version` also serves in `environment`: the `keep` others started
 * there most recently. After a rollback that includes the newer release, so pages it served
 * still find their chunks.
 */
export function earlierReleases(
  index: ReleaseIndex,
  environment: string,
  version: string,
  keep: number,
): { version: string; tree: string }[] {
  return (index.environments[environment] ?? [])
    .filter((v) => v !== version && index.versions[v] !== undefined)
    .slice(0, keep)
    .map((v) => ({ version: v, tree: index.versions[v]! }));
}
