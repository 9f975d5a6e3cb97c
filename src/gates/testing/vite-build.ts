import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { seededRng } from '../../judge/testing/prng.js';
import type { ManifestChunk } from '../vite-manifest.js';

/**
 * Content that gzip cannot shrink much (seeded random bytes), so sizes in budget tests are
 * predictable to within a few bytes: `incompressible(10_000)` gzips to a little over 10,000.
 */
export function incompressible(bytes: number, seed = bytes): Buffer {
  const rng = seededRng(seed);
  const out = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) out[i] = Math.floor(rng.next() * 256);
  return out;
}

/** The gzip size the budget should find for some content (level 9). */
export const gzipBytesOf = (content: Buffer | string) => gzipSync(content, { level: 9 }).length;

/**
 * Write a fake Vite build: the output files and `.vite/manifest.json` (or `manifestPath`) in
 * Vite's format. Files listed in the manifest but absent from `files` are not written.
 */
export function writeViteBuild(
  dir: string,
  files: Record<string, Buffer | string>,
  manifest: Record<string, ManifestChunk> | string,
  manifestPath = '.vite/manifest.json',
): void {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  mkdirSync(path.dirname(path.join(dir, manifestPath)), { recursive: true });
  writeFileSync(
    path.join(dir, manifestPath),
    typeof manifest === 'string' ? manifest : JSON.stringify(manifest, null, 2),
  );
}

/**
 * A small React-like build: index.html's entry imports a vendor chunk and a shared chunk (which
 * imports the vendor chunk back: a cycle), has css, and lazily imports a route; admin.html is a
 * second entry sharing the shared chunk. Sizes in bytes of incompressible content.
 */
export function harborBuild(
  dir: string,
  sizes: { main?: number; vendor?: number; shared?: number; lazy?: number; admin?: number; css?: number } = {},
  hash = 'B7PI925R',
): Record<string, Buffer> {
  const files: Record<string, Buffer> = {
    [`assets/index-${hash}.js`]: incompressible(sizes.main ?? 20_000, 1),
    [`assets/vendor-${hash}.js`]: incompressible(sizes.vendor ?? 60_000, 2),
    [`assets/shared-${hash}.js`]: incompressible(sizes.shared ?? 5_000, 3),
    [`assets/lazy-${hash}.js`]: incompressible(sizes.lazy ?? 30_000, 4),
    [`assets/admin-${hash}.js`]: incompressible(sizes.admin ?? 8_000, 5),
    [`assets/index-${hash}.css`]: incompressible(sizes.css ?? 3_000, 6),
    'assets/logo-4f2a9c1e.svg': Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
  };
  writeViteBuild(dir, files, {
    'index.html': {
      file: `assets/index-${hash}.js`,
      src: 'index.html',
      name: 'index',
      isEntry: true,
      imports: [`_vendor-${hash}.js`, `_shared-${hash}.js`],
      dynamicImports: ['src/routes/lazy.tsx'],
      css: [`assets/index-${hash}.css`],
      assets: ['assets/logo-4f2a9c1e.svg'],
    },
    'admin.html': {
      file: `assets/admin-${hash}.js`,
      src: 'admin.html',
      isEntry: true,
      imports: [`_shared-${hash}.js`],
    },
    [`_vendor-${hash}.js`]: { file: `assets/vendor-${hash}.js`, name: 'vendor' },
    [`_shared-${hash}.js`]: { file: `assets/shared-${hash}.js`, imports: [`_vendor-${hash}.js`] },
    'src/routes/lazy.tsx': {
      file: `assets/lazy-${hash}.js`,
      src: 'src/routes/lazy.tsx',
      isDynamicEntry: true,
      imports: [`_vendor-${hash}.js`],
    },
  });
  return files;
}
