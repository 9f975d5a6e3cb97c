#!/usr/bin/env node
// Builds the dashboard (web/) into dist/web/ with Vite, then holds it to its budget: the JavaScript
// the first view (the overview) loads — the entry chunk and everything it imports statically —
// must stay within 150 KB gzip. Lazy views (deployment, history) and their libraries (uPlot) are
// not counted: they load when opened. Prints the sizes (on stderr: stdout stays for a benchmark's JSON); exits 1
// over budget.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const firstViewBudget = 150 * 1024;
const root = fileURLToPath(new URL('../', import.meta.url));
const outDir = path.join(root, 'dist', 'web');

/** The gzip size of the first view's JavaScript: the entry and its static imports, from Vite's manifest. */
export function firstViewSize(dir = outDir) {
  const manifest = JSON.parse(readFileSync(path.join(dir, '.vite', 'manifest.json'), 'utf8'));
  const entry = Object.values(manifest).find((c) => c.isEntry);
  const seen = new Set();
  const visit = (chunk) => {
    if (seen.has(chunk.file)) return;
    seen.add(chunk.file);
    for (const key of chunk.imports ?? []) visit(manifest[key]);
  };
  visit(entry);
  const files = [...seen].map((file) => ({
    file,
    gzip: gzipSync(readFileSync(path.join(dir, file)), { level: 9 }).length,
  }));
  return { files, total: files.reduce((n, f) => n + f.gzip, 0) };
}

async function main() {
  // React's production build whatever the caller's NODE_ENV (vitest sets it to test, which gives the development one).
  process.env.NODE_ENV = 'production';
  const [{ build }, { default: react }] = await Promise.all([import('vite'), import('@vitejs/plugin-react')]);
  await build({
    configFile: false,
    root: path.join(root, 'web'),
    base: '/',
    mode: 'production',
    logLevel: 'warn',
    plugins: [react()],
    build: {
      outDir,
      emptyOutDir: true,
      manifest: true,
      sourcemap: false,
      target: 'es2022',
      modulePreload: { polyfill: false },
    },
  });
  const { files, total } = firstViewSize();
  for (const f of files) console.error(`build-web: ${f.file} ${(f.gzip / 1024).toFixed(1)} KB gzip`);
  const verdict = total <= firstViewBudget ? 'within' : 'OVER';
  console.error(
    `build-web: first view ${(total / 1024).toFixed(1)} KB gzip, ${verdict} the ${firstViewBudget / 1024} KB budget`,
  );
  if (total > firstViewBudget) process.exit(1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await main();
