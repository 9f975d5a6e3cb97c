/**
 * `<store>/index.json`: which tree each release version published (a version means one build,
 * like every Slipway release) and, per environment, the versions most recently started there,
 * newest first. The server reads it to know the earlier releases whose assets it still serves.
 * Written to a temporary file and renamed, so a reader never sees half of it; writers take a lock
 * (a directory: mkdir is atomic), so releases starting at once in two environments both count.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
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
  await updateIndex(store, (index) => {
    const versions = { ...index.versions };
    versions[version] ??= tree;
    const list = (index.environments[environment] ?? []).filter((v) => v !== version);
    return {
      versions,
      environments: { ...index.environments, [environment]: [version, ...list].slice(0, remembered) },
    };
  });
}

/** Read, change and write the index under its lock. */
export async function updateIndex(
  store: string,
  change: (index: ReleaseIndex) => ReleaseIndex | Promise<ReleaseIndex>,
): Promise<void> {
  await withLock(`${indexFile(store)}.lock`, async () => {
    const next = await change(await readIndex(store));
    const tmp = `${indexFile(store)}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await writeFile(tmp, `${JSON.stringify(next, null, 2)}\n`);
    await rename(tmp, indexFile(store));
  });
}

/** A lock older than this was left by a writer that died (a write takes milliseconds). */
const staleLockMs = 30_000;

async function withLock(lock: string, work: () => Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await mkdir(lock);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > staleLockMs) await rm(lock, { recursive: true, force: true });
      else if (attempt > 500) throw new Error(`${lock} is held by another process`);
      else await new Promise((r) => setTimeout(r, 10));
    }
  }
  try {
    await work();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
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
