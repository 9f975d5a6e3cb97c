import { access, constants, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { StoreError } from './errors.js';
import { copyTemplate, saveTemplate, templateCacheDir } from './pglite-template.js';

/** Create the directory that will hold `dataDir` (and its lock file beside it). */
export async function ensureParentDir(dataDir: string): Promise<void> {
  try {
    await mkdir(dirname(dataDir), { recursive: true });
  } catch (e) {
    throw dirError(`cannot create data directory ${dataDir}`, e);
  }
}

/**
 * Make sure `dataDir` holds a PGlite database, creating it when missing or empty. Creation
 * (initdb, seconds) happens in `<dataDir>.init` and is renamed into place when complete, so an
 * interrupted first start never leaves a half-initialised directory. The caller holds the lock.
 */
export async function ensurePgliteDataDir(
  dataDir: string,
  loadDataDir?: Blob,
  /** Where initialised data directories are cached (pglite-template.ts); undefined: none. */
  cacheDir: string | undefined = templateCacheDir(),
): Promise<'created' | 'copied' | 'existing'> {
  const state = await inspect(dataDir);
  if (state === 'existing') {
    await access(dataDir, constants.W_OK).catch((e) => {
      throw dirError(`data directory ${dataDir} is not writable`, e);
    });
    return 'existing';
  }
  const initDir = `${dataDir}.init`;
  try {
    await rm(initDir, { recursive: true, force: true });
    await mkdir(initDir);
  } catch (e) {
    throw dirError(`cannot create data directory ${dataDir}`, e);
  }
  try {
    // A copy of a cached initdb when there is one (a tarball to load is a database of its own: no template).
    if (!loadDataDir && (await copyTemplate(cacheDir, initDir))) {
      await rename(initDir, dataDir);
      return 'copied';
    }
    const pglite = new PGlite({ dataDir: initDir, ...(loadDataDir ? { loadDataDir } : {}) });
    await pglite.waitReady;
    await pglite.close();
    if (!loadDataDir) await saveTemplate(cacheDir, initDir);
    // rename() replaces an empty directory atomically; a non-empty one was refused by inspect().
    await rename(initDir, dataDir);
  } catch (e) {
    await rm(initDir, { recursive: true, force: true }).catch(() => undefined);
    if (e instanceof StoreError) throw e;
    throw new StoreError(
      'unavailable',
      `cannot initialise a PGlite database in ${dataDir}: ${reasonOf(e)}`,
      { dataDir },
      { cause: e },
    );
  }
  return 'created';
}

async function inspect(dataDir: string): Promise<'missing' | 'existing'> {
  let entries: string[];
  try {
    if (!(await stat(dataDir)).isDirectory()) {
      throw new StoreError('invalid_input', `data directory ${dataDir} is not a directory`, { dataDir });
    }
    entries = await readdir(dataDir);
  } catch (e) {
    if (e instanceof StoreError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw dirError(`cannot read data directory ${dataDir}`, e);
  }
  if (entries.length === 0) return 'missing';
  if (entries.includes('PG_VERSION')) return 'existing';
  throw new StoreError(
    'invalid_input',
    `data directory ${dataDir} is not empty and holds no PGlite database (no PG_VERSION); use an empty directory or ` +
      `a PGlite one`,
    { dataDir },
  );
}

/** A one-line StoreError for a file system failure on the data directory. */
function dirError(what: string, e: unknown): StoreError {
  const code = (e as NodeJS.ErrnoException).code;
  const reason =
    code === 'EACCES' || code === 'EPERM'
      ? 'permission denied'
      : code === 'EROFS'
        ? 'read-only file system'
        : code === 'ENOTDIR'
          ? 'a parent path is not a directory'
          : code === 'ENOSPC'
            ? 'no space left on device'
            : reasonOf(e);
  return new StoreError('invalid_input', `${what}: ${reason}`, { code }, { cause: e });
}

/** PGlite sometimes throws non-Error objects (emscripten's ExitStatus). */
export function reasonOf(e: unknown): string {
  const message = (e as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : String(e);
}
