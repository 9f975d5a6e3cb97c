import { randomBytes } from 'node:crypto';
import { cp, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A freshly initialised PGlite data directory, kept once per PGlite version in the user's cache
 * (`$SLIPWAY_CACHE_DIR`, else `$XDG_CACHE_HOME/slipway`, else `~/.cache/slipway`), so a new store is a copy of
 * it instead of an initdb: the demo and `slipway up` in a new workspace start ~6 s sooner on this machine
 * (initdb in WebAssembly 8.1 s, copy and open 1.5 s). Best effort throughout: a cache that cannot be read or
 * written only costs the initdb it would have saved. The store is migrated on open as any existing one is.
 */
export function templateCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.SLIPWAY_CACHE_DIR !== undefined) return env.SLIPWAY_CACHE_DIR === '' ? undefined : env.SLIPWAY_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'slipway');
  const home = homedir();
  return home ? join(home, '.cache', 'slipway') : undefined;
}

let version: Promise<string> | undefined;

/** PGlite's version: a template is valid only for the PGlite (PostgreSQL build) that made it. */
function pgliteVersion(): Promise<string> {
  version ??= (async () => {
    const entry = fileURLToPath(import.meta.resolve('@electric-sql/pglite'));
    const marker = `${sep}@electric-sql${sep}pglite${sep}`;
    return readFile(join(entry.slice(0, entry.lastIndexOf(marker) + marker.length), 'package.json'), 'utf8');
  })()
    .then((text) => String((JSON.parse(text) as { version?: unknown }).version ?? 'unknown'))
    .catch(() => 'unknown');
  return version;
}

async function templatePath(cacheDir: string): Promise<string | undefined> {
  const v = await pgliteVersion();
  return v === 'unknown' ? undefined : join(cacheDir, `pglite-${v}-initdb`);
}

/** Copy the cached template into `target` (an empty or missing directory); false when there is none. */
export async function copyTemplate(cacheDir: string | undefined, target: string): Promise<boolean> {
  if (!cacheDir) return false;
  const template = await templatePath(cacheDir);
  if (!template) return false;
  try {
    if (!(await stat(join(template, 'PG_VERSION'))).isFile()) return false;
    await cp(template, target, { recursive: true });
    return true;
  } catch {
    // A copy that failed part-way is undone; the caller's initdb then gets the empty directory it made.
    await rm(target, { recursive: true, force: true }).catch(() => undefined);
    await mkdir(target, { recursive: true }).catch(() => undefined);
    return false;
  }
}

/**
 * Keep a copy of `initialised` (a data directory just made by initdb, closed) as the template, unless one is
 * there. Written beside and renamed, so a process copying the template never sees half of it.
 */
export async function saveTemplate(cacheDir: string | undefined, initialised: string): Promise<void> {
  if (!cacheDir) return;
  const template = await templatePath(cacheDir);
  if (!template) return;
  const exists = await stat(template).then(
    () => true,
    () => false,
  );
  if (exists) return;
  const tmp = `${template}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    await cp(initialised, tmp, { recursive: true });
    await rename(tmp, template);
  } catch {
    // Another process saved it first (rename onto a non-empty directory fails), or the cache is not writable.
  } finally {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
  }
}
