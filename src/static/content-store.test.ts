import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { viteLikeBuild, writeBuild } from '../../test/support/static-build.js';
import { publishBuild } from './content-store.js';
import { StaticSiteError } from './errors.js';

let root: string;
let store: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'slipway-static-'));
  store = path.join(root, 'store');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function build(name: string, files: Record<string, string | Buffer>): string {
  const dir = path.join(root, name);
  writeBuild(dir, files);
  return dir;
}

describe('publishBuild', () => {
  it('copies the build into a directory named by its digest, with brotli and gzip copies of it', async () => {
    const vite = viteLikeBuild('1.0.0');
    const published = await publishBuild(store, build('a', vite.files));
    expect(published.reused).toBe(false);
    expect(path.basename(published.dir)).toMatch(/^[0-9a-f]{64}$/);
    expect(published.dir).toBe(path.join(store, published.manifest.tree));
    const script = published.manifest.files[vite.script]!;
    expect(script.contentType).toBe('text/javascript; charset=utf-8');
    expect(readFileSync(path.join(published.dir, 'files', vite.script), 'utf8')).toBe(vite.files[vite.script]);
    expect(script.br).toBeLessThan(script.size);
    expect(script.gzip).toBeLessThan(script.size);
    const br = readFileSync(path.join(published.dir, 'br', vite.script));
    expect(br.length).toBe(script.br);
    expect(brotliDecompressSync(br).toString()).toBe(vite.files[vite.script]);
    expect(gunzipSync(readFileSync(path.join(published.dir, 'gzip', vite.script))).toString()).toBe(
      vite.files[vite.script],
    );
    // Small files and dot files: no copies, and not published at all.
    expect(published.manifest.files['robots.txt']?.br).toBeUndefined();
    expect(published.manifest.files['.vite/manifest.json']).toBeUndefined();
    // Nothing half-written is left behind.
    expect(readdirSync(store)).toEqual([published.manifest.tree]);
  });

  it('reuses the directory of an identical build, and gives a different build its own', async () => {
    const first = await publishBuild(store, build('a', viteLikeBuild('1.0.0').files));
    const again = await publishBuild(store, build('b', viteLikeBuild('1.0.0').files));
    expect(again.reused).toBe(true);
    expect(again.dir).toBe(first.dir);
    const other = await publishBuild(store, build('c', viteLikeBuild('2.0.0').files));
    expect(other.dir).not.toBe(first.dir);
    expect(readdirSync(store).sort()).toEqual([first.manifest.tree, other.manifest.tree].sort());
  });

  it('does not compress what is compressed already', async () => {
    const png = Buffer.alloc(4096, 7);
    const published = await publishBuild(store, build('a', { 'index.html': '<p>hi</p>', 'logo.png': png }));
    expect(published.manifest.files['logo.png']).toMatchObject({ contentType: 'image/png', size: 4096 });
    expect(published.manifest.files['logo.png']?.gzip).toBeUndefined();
  });

  it('refuses a build without index.html, naming the directory', async () => {
    const dir = build('a', { 'assets/a.js': 'x' });
    const error = await publishBuild(store, dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StaticSiteError);
    expect((error as Error).message).toBe(
      `no index.html in build directory ${dir}: static.dir must name a build (e.g. Vite's dist/) with index.html at ` +
        'its top',
    );
  });

  it('refuses a missing directory, a file, and symbolic links, naming the path', async () => {
    const missing = path.join(root, 'nope');
    await expect(publishBuild(store, missing)).rejects.toThrow(`build directory ${missing} does not exist`);
    const file = path.join(root, 'file');
    writeFileSync(file, 'x');
    await expect(publishBuild(store, file)).rejects.toThrow(`build directory ${file} is not a directory`);
    const dir = build('a', { 'index.html': 'x' });
    symlinkSync('/etc/passwd', path.join(dir, 'passwd'));
    await expect(publishBuild(store, dir)).rejects.toThrow(`${path.join(dir, 'passwd')} is a symbolic link`);
  });
});

describe('abandoned publications', () => {
  it('are removed once old, and only then', async () => {
    const old = path.join(store, '.tmp-abandoned');
    const fresh = path.join(store, '.tmp-in-progress');
    mkdirSync(old, { recursive: true });
    mkdirSync(fresh, { recursive: true });
    const hourAgo = new Date(Date.now() - 3600_000);
    utimesSync(old, hourAgo, hourAgo);
    await publishBuild(store, build('a', { 'index.html': '<p>hi</p>' }));
    expect(readdirSync(store).filter((n) => n.startsWith('.tmp-'))).toEqual(['.tmp-in-progress']);
  });
});
