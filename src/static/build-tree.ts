/** The files of a build directory, read once: paths, sizes and SHA-256 digests, and the digest of the whole tree. */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { StaticSiteError } from './errors.js';

export interface BuildFile {
  /** Relative, with forward slashes: `assets/index-3f9a1c2b.js`. */
  path: string;
  size: number;
  sha256: string;
}

export interface BuildTree {
  /** SHA-256 over every file's digest and path: equal trees get the same store directory. */
  tree: string;
  /** Sorted by path. */
  files: BuildFile[];
}

/** Dot files are left out (a stray .env or .git in dist/ must not be published), except .well-known. */
export function isPublished(name: string): boolean {
  return !name.startsWith('.') || name === '.well-known';
}

/** Every published file under `dir`, sorted; symbolic links are refused (they could point anywhere). */
export async function listBuild(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (relative: string) => {
    const absolute = path.join(dir, relative);
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(absolute, { withFileTypes: true });
    } catch (e) {
      throw unreadable(relative === '' ? `build directory ${dir}` : absolute, e);
    }
    for (const entry of entries) {
      if (!isPublished(entry.name)) continue;
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isSymbolicLink())
        throw new StaticSiteError(
          'invalid_input',
          `${path.join(dir, child)} is a symbolic link; copy the file instead`,
        );
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile()) out.push(child);
    }
  };
  await walk('');
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Hash a build directory; refuses a missing or unreadable one, and one without index.html at its top. */
export async function readBuildTree(dir: string): Promise<BuildTree> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(dir)).isDirectory();
  } catch (e) {
    throw unreadable(`build directory ${dir}`, e);
  }
  if (!isDirectory) throw new StaticSiteError('invalid_input', `build directory ${dir} is not a directory`);
  const paths = await listBuild(dir);
  if (!paths.includes('index.html'))
    throw new StaticSiteError(
      'invalid_input',
      `no index.html in build directory ${dir}: static.dir must name a build (e.g. Vite's dist/) with index.html at ` +
        'its top',
    );
  const files: BuildFile[] = [];
  for (const file of paths) {
    const body = await readBuildFile(dir, file);
    files.push({ path: file, size: body.length, sha256: sha256(body) });
  }
  const tree = createHash('sha256');
  for (const f of files) tree.update(`${f.sha256}  ${f.path}\n`);
  return { tree: tree.digest('hex'), files };
}

/** One file of the build, with a message naming it when it cannot be read. */
export async function readBuildFile(dir: string, file: string): Promise<Buffer> {
  try {
    return await readFile(path.join(dir, file));
  } catch (e) {
    throw unreadable(path.join(dir, file), e);
  }
}

export function sha256(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

function unreadable(where: string, e: unknown): StaticSiteError {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'does not exist'
      : code === 'EACCES'
        ? 'cannot be read (permission denied)'
        : `cannot be read (${(e as Error).message})`;
  return new StaticSiteError('invalid_input', `${where} ${why}`);
}
