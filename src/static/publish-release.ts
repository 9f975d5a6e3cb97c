/**
 * Ready a release to serve: publish its build into the store (or find it there), and record that
 * it started in its environment. A version already published keeps the build it was published
 * with — releases are immutable, and a rollback must serve the old files even when the build
 * directory now holds a newer build or is gone.
 */
import { mkdir } from 'node:fs/promises';
import { publishBuild, readPublished } from './content-store.js';
import { StaticSiteError } from './errors.js';
import { readBuildTree } from './build-tree.js';
import { readIndex, recordStart } from './release-index.js';
import type { SiteRelease } from './site.js';
import { pruneStore, touch } from './store-retention.js';

export interface PublishRequest {
  store: string;
  buildDir: string;
  version: string;
  environment: string;
}

export interface PublishOutcome {
  release: SiteRelease;
  /** How the files got there: copied now, found by their digest, or the version's earlier build. */
  source: 'published' | 'reused' | 'recorded';
  /** Things worth a log line that do not stop the release. */
  warnings: string[];
}

/** Publish (or find) the release's build and record its start; throws StaticSiteError naming the path. */
export async function publishRelease(request: PublishRequest): Promise<PublishOutcome> {
  const { store, buildDir, version, environment } = request;
  try {
    await mkdir(store, { recursive: true });
  } catch (e) {
    throw new StaticSiteError('failed', `cannot create the static store ${store}: ${(e as Error).message}`);
  }
  const recorded = (await readIndex(store)).versions[version];
  const earlier = recorded === undefined ? undefined : await readPublished(store, recorded);
  const warnings: string[] = [];
  let outcome: Omit<PublishOutcome, 'warnings'>;
  if (earlier) {
    const now = await readBuildTree(buildDir).then(
      (t) => t.tree,
      (e: Error) => e.message,
    );
    if (now !== recorded) {
      const found = /^[0-9a-f]{64}$/.test(now) ? `${buildDir} now has tree ${now.slice(0, 12)}` : now;
      warnings.push(
        `release ${version} was published from a different build (tree ${recorded!.slice(0, 12)}); serving that ` +
          `one, as releases are immutable (${found})`,
      );
    }
    outcome = { release: { version, dir: earlier.dir, manifest: earlier.manifest }, source: 'recorded' };
  } else {
    const published = await publishBuild(store, buildDir);
    outcome = {
      release: { version, dir: published.dir, manifest: published.manifest },
      source: published.reused ? 'reused' : 'published',
    };
  }
  await touch(outcome.release.dir);
  try {
    await recordStart(store, environment, version, outcome.release.manifest.tree);
  } catch (e) {
    throw new StaticSiteError('failed', `cannot update the static store index in ${store}: ${(e as Error).message}`);
  }
  // Housekeeping: a failure costs disk space, not the release.
  await pruneStore(store).catch((e: Error) => warnings.push(`could not prune the static store ${store}: ${e.message}`));
  return { ...outcome, warnings };
}
