#!/usr/bin/env node
// Build dist/ only when something it is made from changed since the last build (`npm install`
// already built it through `prepare`): `npm start` and the benchmarks then begin at once instead
// of re-running tsc for ~20 s. The last build is marked by dist/.built (written by `npm run build`).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const stamp = join(root, 'dist', '.built');

function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let max = s.mtimeMs;
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)));
  return max;
}

const inputs = [
  'src',
  'web',
  // The two build steps after tsc; the other scripts (tests, screenshots, this one) are not part of dist/.
  'scripts/copy-assets.mjs',
  'scripts/build-web.mjs',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'tsconfig.build.json',
].map((p) => join(root, p));
const builtAt = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
if (inputs.some((p) => existsSync(p) && newest(p) > builtAt)) {
  process.stderr.write('building dist/ (sources changed since the last build)…\n');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
}
