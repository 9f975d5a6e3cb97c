#!/usr/bin/env node
// Builds the quote page's releases with Vite's JS API, one immutable directory each:
//   frontend/releases/<version>/dist/{index.html, assets/*-<hash>.js|css, .vite/manifest.json}
// The release is baked into the bundle (define), so the page reports which release it is.
//
//   node examples/harbor-platform/build.mjs                    every release below
//   node examples/harbor-platform/build.mjs 2.0.0 --out DIR    one release, into DIR/2.0.0/dist
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { readFile } from 'node:fs/promises';

const here = path.dirname(fileURLToPath(import.meta.url));
const frontend = path.join(here, 'frontend');

/** What each release of the page does: 2.0.0 asks for the flag state (the column migration 0002 adds). */
export const releases = {
  '1.0.0': { flagState: false },
  '2.0.0': { flagState: true },
  '3.0.0': { flagState: true },
};

/**
 * Build one release into `${outRoot}/${version}/dist`; returns that directory and its files with
 * their gzip sizes. Vite (and its React plugin) are loaded only here, so importing `releases` is cheap.
 */
export async function buildRelease(
  version,
  { outRoot = path.join(frontend, 'releases'), rumUrl = '/.slipway/rum' } = {},
) {
  const features = releases[version];
  if (!features) throw new Error(`unknown release ${version}: expected one of ${Object.keys(releases).join(', ')}`);
  const [{ build }, { default: react }] = await Promise.all([import('vite'), import('@vitejs/plugin-react')]);
  const outDir = path.join(outRoot, version, 'dist');
  await build({
    configFile: false,
    root: frontend,
    base: '/',
    logLevel: 'warn',
    plugins: [react()],
    define: {
      __RELEASE__: JSON.stringify(version),
      __FLAG_STATE__: JSON.stringify(features.flagState),
      __RUM_URL__: JSON.stringify(rumUrl),
    },
    build: {
      outDir,
      emptyOutDir: true,
      // .vite/manifest.json: entry → hashed files, read by Slipway's bundle budget gate.
      manifest: true,
      sourcemap: false,
      target: 'es2022',
    },
  });
  return { version, outDir, files: await sizes(outDir) };
}

async function sizes(dir) {
  const files = [];
  const walk = async (at) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      if (entry.isDirectory()) await walk(full);
      else {
        const bytes = await readFile(full);
        files.push({ file: path.relative(dir, full), bytes: bytes.length, gzip: gzipSync(bytes).length });
      }
    }
  };
  await walk(dir);
  return files.sort((a, b) => a.file.localeCompare(b.file));
}

async function main() {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { out: { type: 'string' } } });
  const versions = positionals.length > 0 ? positionals : Object.keys(releases);
  const outRoot = values.out ? path.resolve(values.out) : undefined;
  for (const version of versions) {
    const built = await buildRelease(version, outRoot ? { outRoot } : {});
    const gzip = built.files.filter((f) => /\.(js|css|html)$/.test(f.file)).reduce((sum, f) => sum + f.gzip, 0);
    console.log(`harbor-platform web ${version}: ${built.outDir} (${built.files.length} files, ${gzip} B gzip)`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`build.mjs: ${e.message}`);
    process.exit(1);
  });
}
