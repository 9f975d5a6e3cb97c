/**
 * The content-addressed store of published builds: `<store>/<sha256 of the tree>/` holds
 * `files/` (the build as it was), `br/` and `gzip/` (precompressed copies) and `manifest.json`.
 * A directory is written under a temporary name and renamed into place, so it is either whole or
 * absent; once there it never changes, and a release with the same files reuses it.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { contentType } from 'mime-types';
import { type BuildTree, readBuildFile, readBuildTree, sha256 } from './build-tree.js';
import { StaticSiteError } from './errors.js';
import { isCompressible, precompress } from './precompress.js';

/** One published file: what the server needs to answer for it without touching the disk first. */
export interface ContentEntry {
  size: number;
  sha256: string;
  contentType: string;
  /** Sizes of the precompressed copies, when there are any. */
  br?: number;
  gzip?: number;
}

export interface ContentManifest {
  tree: string;
  files: Record<string, ContentEntry>;
}

/** A published build: its directory in the store and what it holds. */
export interface PublishedContent {
  dir: string;
  manifest: ContentManifest;
  /** False when this call wrote it. */
  reused: boolean;
}

/** Where the build with this tree digest lives in `store`. */
export function contentDir(store: string, tree: string): string {
  return path.join(store, tree);
}

/** The manifest of a published build, or undefined when it is not (wholly) in the store. */
export async function readPublished(store: string, tree: string): Promise<PublishedContent | undefined> {
  const dir = contentDir(store, tree);
  try {
    const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as ContentManifest;
    return manifest.tree === tree ? { dir, manifest, reused: true } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Publish the build in `buildDir` into `store` once: hash it, reuse the directory when that tree
 * is there already, else copy and precompress it. Throws StaticSiteError naming the path when the
 * build is missing, unreadable, lacks index.html, or changes while it is being copied.
 */
export async function publishBuild(store: string, buildDir: string): Promise<PublishedContent> {
  const tree = await readBuildTree(buildDir);
  const existing = await readPublished(store, tree.tree);
  if (existing) return existing;
  await removeAbandoned(store);
  const tmp = path.join(store, `.tmp-${tree.tree.slice(0, 12)}-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const manifest = await writeContent(tmp, buildDir, tree);
    try {
      await rename(tmp, contentDir(store, tree.tree));
    } catch (e) {
      // Another instance of the same release published it first: theirs is identical.
      const published = await readPublished(store, tree.tree);
      if (published) return published;
      throw e;
    }
    return { dir: contentDir(store, tree.tree), manifest, reused: false };
  } catch (e) {
    if (e instanceof StaticSiteError) throw e;
    throw new StaticSiteError('failed', `cannot write the static store ${store}: ${(e as Error).message}`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function writeContent(dir: string, buildDir: string, tree: BuildTree): Promise<ContentManifest> {
  const files: Record<string, ContentEntry> = {};
  for (const file of tree.files) {
    const body = await readBuildFile(buildDir, file.path);
    // The tree was hashed a moment ago; a build still being written would publish a mix of two builds.
    if (sha256(body) !== file.sha256)
      throw new StaticSiteError(
        'failed',
        `${path.join(buildDir, file.path)} changed while it was being published; deploy again once the build is done`,
      );
    const type = contentType(path.extname(file.path) || 'bin') || 'application/octet-stream';
    const entry: ContentEntry = { size: file.size, sha256: file.sha256, contentType: type };
    await put(dir, 'files', file.path, body);
    if (isCompressible(type)) {
      const copies = await precompress(body);
      if (copies.br) entry.br = (await put(dir, 'br', file.path, copies.br)).length;
      if (copies.gzip) entry.gzip = (await put(dir, 'gzip', file.path, copies.gzip)).length;
    }
    files[file.path] = entry;
  }
  const manifest: ContentManifest = { tree: tree.tree, files };
  await writeFile(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest)}\n`);
  return manifest;
}

async function put(dir: string, variant: string, file: string, body: Buffer): Promise<Buffer> {
  const target = path.join(dir, variant, file);
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, body, { mode: 0o444 });
  return body;
}

/** Temporary directories this old were left by a publisher that was killed: nobody is writing them any more. */
const abandonedAfterMs = 10 * 60_000;

async function removeAbandoned(store: string): Promise<void> {
  const names = await readdir(store).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.startsWith('.tmp-'))) {
    const dir = path.join(store, name);
    const modified = await stat(dir).then(
      (s) => s.mtimeMs,
      () => Date.now(),
    );
    if (Date.now() - modified > abandonedAfterMs) await rm(dir, { recursive: true, force: true });
  }
}
