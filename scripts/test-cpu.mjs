#!/usr/bin/env node
// Rank integration test files by the CPU they used (test/support/cpu-log.ts wrote the lines):
//   SLIPWAY_TEST_CPU_LOG=/tmp/cpu.jsonl npm test && node scripts/test-cpu.mjs /tmp/cpu.jsonl [--top N] [--json]
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const [file, ...rest] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node scripts/test-cpu.mjs CPU_LOG.jsonl [--top N] [--json]\n');
  process.exit(2);
}
const top = rest.includes('--top') ? Number(rest[rest.indexOf('--top') + 1]) : 25;
const lines = readFileSync(file, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l, i) => {
    try {
      return JSON.parse(l);
    } catch {
      process.stderr.write(`${file}:${i + 1}: not a JSON line\n`);
      return process.exit(1);
    }
  });
const files = lines
  .map((l) => ({ file: relative(process.cwd(), l.file), cpuS: l.cpuS, wallS: l.wallS }))
  .sort((a, b) => b.cpuS - a.cpuS);
const cpuS = Math.round(files.reduce((s, f) => s + f.cpuS, 0));
const wallS = Math.round(files.reduce((s, f) => s + f.wallS, 0));
if (rest.includes('--json')) {
  process.stdout.write(`${JSON.stringify({ files: files.length, cpuS, wallS, top: files.slice(0, top) }, null, 2)}\n`);
} else {
  process.stdout.write(`${files.length} integration files: ${cpuS} s of CPU, ${wallS} s of wall time summed\n`);
  for (const f of files.slice(0, top))
    process.stdout.write(
      `${f.cpuS.toFixed(1).padStart(8)} s CPU ${f.wallS.toFixed(0).padStart(5)} s wall  ${f.file}\n`,
    );
}
