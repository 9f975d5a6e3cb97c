/**
 * The check a deployment can make before anything moves: will this release's static server be able
 * to start? Cheap (no hashing): the build directory and its index.html must be there — unless the
 * version was published before, in which case the store has its files (a rollback to a release
 * whose build directory is gone still works). The server itself checks everything again at start.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { readPublished } from './content-store.js';
import { readIndex } from './release-index.js';

export interface PreflightRequest {
  /** `<dataDir>/static/<project>/<service>` (staticStoreDir in src/config/normalize-static.ts). */
  store: string;
  /** The release's build directory, {version} filled in. */
  buildDir: string;
  version: string;
}

/** Why the release cannot be served, naming the path; undefined when it can. */
export async function staticReleaseProblem(request: PreflightRequest): Promise<string | undefined> {
  const recorded = (await readIndex(request.store)).versions[request.version];
  if (recorded !== undefined && (await readPublished(request.store, recorded))) return undefined;
  const kind = async (file: string) =>
    stat(file).then(
      (s) => (s.isDirectory() ? 'directory' : 'file'),
      (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? 'missing' : `unreadable (${e.message})`),
    );
  const dir = await kind(request.buildDir);
  if (dir === 'missing') return `build directory ${request.buildDir} does not exist`;
  if (dir !== 'directory') return `build directory ${request.buildDir} is ${dir === 'file' ? 'not a directory' : dir}`;
  const index = await kind(path.join(request.buildDir, 'index.html'));
  if (index !== 'file')
    return (
      `no index.html in build directory ${request.buildDir}: static.dir must name a build (e.g. Vite's dist/) with ` +
      'index.html at its top'
    );
  return undefined;
}
