#!/usr/bin/env node
// Copy the last run's per-file durations from vitest's cache into test/support/file-durations.json, so a fresh
// clone (CI has no cache) queues the test files longest first too (test/support/mixed-sequencer.ts). Run after a
// full `npm test`: `node scripts/save-test-durations.mjs`.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const cacheRoot = 'node_modules/.vite/vitest';
const runs = readdirSync(cacheRoot, { withFileTypes: true }).filter((d) => d.isDirectory());
const durations = {};
for (const run of runs) {
  const file = path.join(cacheRoot, run.name, 'results.json');
  let results;
  try {
    results = JSON.parse(readFileSync(file, 'utf8')).results;
  } catch {
    continue;
  }
  for (const [key, { duration }] of results) {
    if (typeof duration === 'number' && duration > 0) durations[key] = Math.round(duration);
  }
}
const sorted = Object.fromEntries(Object.entries(durations).sort(([a], [b]) => a.localeCompare(b)));
writeFileSync('test/support/file-durations.json', `${JSON.stringify(sorted, null, 2)}\n`);
process.stdout.write(`test/support/file-durations.json: ${Object.keys(sorted).length} files\n`);
