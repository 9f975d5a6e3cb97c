import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { BudgetError } from './budget-error.js';

/**
 * One chunk or asset of Vite's build manifest (`build.manifest: true` writes `.vite/manifest.json`).
 * Keys of the manifest are source paths for entries ("index.html", "src/main.tsx") and "_" plus
 * the output name for shared chunks; `imports` and `dynamicImports` hold such keys, `file`,
 * `css` and `assets` hold output paths relative to the build directory.
 */
export interface ManifestChunk {
  file: string;
  src?: string;
  name?: string;
  isEntry?: boolean;
  isDynamicEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
  assets?: string[];
}

/** A checked manifest: every key it references exists and every file stays inside the build. */
export interface ViteManifest {
  /** The manifest's path as given (relative to the build directory), for messages. */
  file: string;
  chunks: Map<string, ManifestChunk>;
}

/** `["src/main.tsx"].imports[1]`: where in the manifest a value sits. */
export function keyPath(key: string, field?: string, index?: number): string {
  return `[${JSON.stringify(key)}]${field ? `.${field}` : ''}${index === undefined ? '' : `[${index}]`}`;
}

/** Read and check `<dir>/<manifest>`; a BudgetError names the file and the key path of anything wrong. */
export async function readViteManifest(dir: string, manifest: string): Promise<ViteManifest> {
  const full = path.resolve(dir, manifest);
  let text: string;
  try {
    text = await readFile(full, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BudgetError(
      code === 'ENOENT'
        ? `${full} not found: the build has no Vite manifest (set build.manifest: true in vite.config, or give ` +
            `the manifest's path)`
        : `${full} cannot be read: ${(e as Error).message}`,
      { file: full },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new BudgetError(`${full} is not JSON: ${(e as Error).message}`, { file: full });
  }
  return { file: manifest, chunks: checkManifest(full, json) };
}

/** Check the parsed JSON against Vite's ManifestChunk shape. */
export function checkManifest(file: string, json: unknown): Map<string, ManifestChunk> {
  const fail: (where: string, message: string) => never = (where, message) => {
    throw new BudgetError(`${file}: ${where}: ${message}`, { file, path: where });
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    fail('(top level)', "expected an object of chunks keyed by source path (Vite's build manifest)");
  const chunks = new Map<string, ManifestChunk>();
  const entries = Object.entries(json as Record<string, unknown>);
  for (const [key, value] of entries) {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      fail(keyPath(key), 'expected a chunk object with a "file"');
    const chunk = value as Record<string, unknown>;
    checkOutputPath(chunk.file, keyPath(key, 'file'), fail);
    for (const field of ['isEntry', 'isDynamicEntry'] as const)
      if (chunk[field] !== undefined && typeof chunk[field] !== 'boolean')
        fail(keyPath(key, field), 'expected true or false');
    for (const field of ['imports', 'dynamicImports', 'css', 'assets'] as const) {
      const list = chunk[field];
      if (list === undefined) continue;
      if (!Array.isArray(list)) fail(keyPath(key, field), 'expected an array of strings');
      (list as unknown[]).forEach((item, i) => {
        const where = keyPath(key, field, i);
        if (field === 'imports' || field === 'dynamicImports') {
          if (typeof item !== 'string') fail(where, 'expected a manifest key (a string)');
          else if (!Object.hasOwn(json as object, item)) fail(where, `"${item}" is not a key of the manifest`);
        } else checkOutputPath(item, where, fail);
      });
    }
    chunks.set(key, chunk as unknown as ManifestChunk);
  }
  if (![...chunks.values()].some((c) => c.isEntry === true))
    fail('(top level)', 'no chunk has "isEntry": true, so there is no entry to measure');
  return chunks;
}

/** Output paths are relative and stay inside the build: a manifest never makes us read elsewhere. */
function checkOutputPath(value: unknown, where: string, fail: (where: string, message: string) => never): void {
  if (typeof value !== 'string' || value === '') return void fail(where, 'expected a file path (a non-empty string)');
  const normal = path.posix.normalize(value.replaceAll('\\', '/'));
  if (path.isAbsolute(value) || normal.startsWith('../') || normal === '..')
    fail(where, `"${value}" is outside the build directory`);
}
