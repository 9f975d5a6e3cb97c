#!/usr/bin/env node
// Lines of source are at most 120 characters (Biome formats code to that width but leaves long
// strings and comments alone). Prints every offending file:line and exits 1 when there is one.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const limit = 120;
const files = execFileSync('git', ['ls-files', '*.ts', '*.tsx', '*.mjs', '*.js'], { encoding: 'utf8' })
  .split('\n')
  .filter(Boolean);
let long = 0;
for (const file of files) {
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.length > limit) {
        long++;
        process.stderr.write(`${file}:${i + 1}: ${line.length} characters (at most ${limit})\n`);
      }
    });
}
if (long > 0) {
  process.stderr.write(`check-lines: ${long} line(s) longer than ${limit} characters\n`);
  process.exit(1);
}
