#!/usr/bin/env node
// tsc compiles src/ to dist/ but copies nothing else. Runtime assets that modules read relative
// to themselves (new URL('./schema/', import.meta.url)), such as src/store/schema/*.sql, are
// copied here to the same relative paths under dist/. Stale copies are removed first, so a
// migration deleted from src/ cannot linger in a build.
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const src = join(root, 'src');
const dist = join(root, 'dist');
const assetExtensions = ['.sql'];

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (assetExtensions.some((ext) => entry.name.endsWith(ext))) yield path;
  }
}

if (!existsSync(dist)) {
  console.error('copy-assets: dist/ does not exist; run tsc first');
  process.exit(1);
}
for (const stale of walk(dist)) rmSync(stale);
let copied = 0;
for (const file of walk(src)) {
  const target = join(dist, relative(src, file));
  mkdirSync(dirname(target), { recursive: true });
  cpSync(file, target);
  copied++;
}
console.log(`copy-assets: copied ${copied} file(s) from src/ to dist/`);

// The build is complete: mark it, so `npm start` and the benchmarks know dist/ is current.
writeFileSync(join(dist, '.built'), `${new Date().toISOString()}\n`);
