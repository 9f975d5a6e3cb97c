#!/usr/bin/env node
// Build dist/ only when something it is made from changed since the last build (`npm install`
// already built it through `prepare`): `npm start` and the benchmarks then begin at once instead
// of re-running tsc for ~20 s. The last build is marked by dist/.built (written by `npm run build`).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));

function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let max = s.mtimeMs;
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)));
  return max;
}

/** What dist/ is made from; the other scripts (tests, screenshots, this one) are not part of it. */
export const buildInputs = [
  'src',
  'web',
  'scripts/bundle.mjs',
  'scripts/copy-assets.mjs',
  'scripts/build-web.mjs',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
];

/** The inputs changed since the last build (dist/.built), relative to `root`; all of them when there is none. */
export function staleInputs(root = repoRoot) {
  const stamp = join(root, 'dist', '.built');
  const builtAt = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
  return buildInputs.filter((p) => existsSync(join(root, p)) && newest(join(root, p)) > builtAt);
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url) && staleInputs().length > 0) {
  process.stderr.write('building dist/ (sources changed since the last build)…\n');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: repoRoot, stdio: 'inherit' });
}
