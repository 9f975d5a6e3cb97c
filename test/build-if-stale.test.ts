import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { staleInputs } from '../scripts/build-if-stale.mjs';

/**
 * `npm start` and the benchmarks skip the ~20 s build when dist/ is newer than everything it is made from (issue 9:
 * `npm start` ran tsc again right after `npm install` had built everything). The decision, on a scratch tree.
 */
let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

function tree(): string {
  root = mkdtempSync(path.join(tmpdir(), 'slipway-stale-'));
  for (const dir of ['src/api', 'web', 'dist', 'scripts']) mkdirSync(path.join(root, dir), { recursive: true });
  for (const file of ['src/api/server.ts', 'web/main.tsx', 'package.json', 'scripts/copy-assets.mjs'])
    writeFileSync(path.join(root, file), '');
  return root;
}

const at = (dir: string, file: string, seconds: number) => {
  const when = new Date(1_800_000_000_000 + seconds * 1000);
  utimesSync(path.join(dir, file), when, when);
};

it('nothing to build when dist/.built is newer than every input; a changed source file makes it stale', () => {
  const dir = tree();
  for (const f of ['src/api/server.ts', 'src/api', 'src', 'web/main.tsx', 'web', 'package.json']) at(dir, f, 0);
  at(dir, 'scripts/copy-assets.mjs', 0);
  expect(staleInputs(dir)).toEqual(['src', 'web', 'scripts/copy-assets.mjs', 'package.json']); // never built
  writeFileSync(path.join(dir, 'dist', '.built'), '');
  at(dir, 'dist/.built', 10);
  expect(staleInputs(dir)).toEqual([]);
  at(dir, 'src/api/server.ts', 20); // deep in a directory whose own time did not change
  expect(staleInputs(dir)).toEqual(['src']);
});

it('a script that is not part of dist/ (a test, this one) does not make it stale', () => {
  const dir = tree();
  writeFileSync(path.join(dir, 'scripts', 'test.mjs'), '');
  writeFileSync(path.join(dir, 'dist', '.built'), '');
  for (const f of ['src/api/server.ts', 'src/api', 'src', 'web/main.tsx', 'web', 'package.json']) at(dir, f, 0);
  at(dir, 'scripts/copy-assets.mjs', 0);
  at(dir, 'dist/.built', 10);
  at(dir, 'scripts/test.mjs', 20);
  expect(staleInputs(dir)).toEqual([]);
});
