import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { BudgetError } from './budget-error.js';
import { keyPath, type ViteManifest } from './vite-manifest.js';

const gzip = promisify(zlib.gzip);

/**
 * gzip level 9, as size-limit, bundlesize and Vite's own build report do: the bytes a browser
 * downloads from a server that compresses on the fly at its best level. Precompressed brotli is
 * smaller still, so a budget in gzip bytes is the conservative one.
 */
export const gzipLevel = 9;

/** One output file and its gzip size. */
export interface FileSize {
  file: string;
  gzipBytes: number;
}

/** One entry: what loading it costs before any dynamic import. */
export interface EntrySize {
  /** The manifest key ("index.html", "src/main.tsx"). */
  name: string;
  /** The entry chunk's own output file. */
  file: string;
  gzipBytes: number;
  /** Its file, its static imports' files and their css, transitively, each once, largest first. */
  files: FileSize[];
}

/** A build measured from its manifest. */
export interface BuildSizes {
  /** Every file the manifest names (chunks, css, assets), each once. */
  total: number;
  files: FileSize[];
  entries: EntrySize[];
}

/** Measure a build directory's entries and total from its checked manifest. */
export async function measureBuild(dir: string, manifest: ViteManifest): Promise<BuildSizes> {
  // Where each file is first named, so a missing one is reported with its key path.
  const namedAt = new Map<string, string>();
  const name = (file: string, where: string) => {
    if (!namedAt.has(file)) namedAt.set(file, where);
  };
  for (const [key, chunk] of manifest.chunks) {
    name(chunk.file, keyPath(key, 'file'));
    for (const field of ['css', 'assets'] as const)
      for (const [i, f] of (chunk[field] ?? []).entries()) name(f, keyPath(key, field, i));
  }
  const sizes = new Map<string, number>();
  for (const [file, where] of namedAt) sizes.set(file, await gzipSize(dir, file, manifest.file, where));

  const entries: EntrySize[] = [];
  for (const [key, chunk] of manifest.chunks) {
    if (chunk.isEntry !== true) continue;
    const files = staticFiles(manifest, key).map((file) => ({ file, gzipBytes: sizes.get(file)! }));
    files.sort((a, b) => b.gzipBytes - a.gzipBytes || a.file.localeCompare(b.file));
    entries.push({ name: key, file: chunk.file, gzipBytes: sum(files), files });
  }
  const files = [...sizes].map(([file, gzipBytes]) => ({ file, gzipBytes }));
  files.sort((a, b) => b.gzipBytes - a.gzipBytes || a.file.localeCompare(b.file));
  return { total: sum(files), files, entries };
}

/**
 * The files an entry loads up front: its chunk's file and css, then the same for every chunk it
 * imports statically, transitively. Dynamic imports load later, on demand, so they are not the
 * entry's cost (they still count in the total). Shared chunks and cycles are visited once.
 */
export function staticFiles(manifest: ViteManifest, entryKey: string): string[] {
  const seenKeys = new Set<string>();
  const files = new Set<string>();
  const queue = [entryKey];
  while (queue.length > 0) {
    const key = queue.shift()!;
    if (seenKeys.has(key)) continue;
    seenKeys.add(key);
    const chunk = manifest.chunks.get(key)!;
    files.add(chunk.file);
    for (const css of chunk.css ?? []) files.add(css);
    for (const next of chunk.imports ?? []) queue.push(next);
  }
  return [...files];
}

async function gzipSize(dir: string, file: string, manifestFile: string, where: string): Promise<number> {
  const full = path.resolve(dir, file);
  let data: Buffer;
  try {
    data = await readFile(full);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const what = code === 'ENOENT' ? 'is missing' : `cannot be read (${code ?? (e as Error).message})`;
    throw new BudgetError(`${full} ${what}; ${manifestFile} names it at ${where}`, { file: full, path: where });
  }
  return (await gzip(data, { level: gzipLevel })).length;
}

const sum = (files: FileSize[]) => files.reduce((n, f) => n + f.gzipBytes, 0);
