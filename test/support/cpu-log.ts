/**
 * With SLIPWAY_TEST_CPU_LOG=FILE, every integration file appends a line to FILE: the CPU seconds its test process
 * and the processes it started and reaped (coordinators, proxies, instances, browsers) used. Wall time in a
 * saturated run says little about what a file costs; CPU does (scripts/test-cpu.mjs ranks the lines).
 * Servers the tests talk to but did not start (PostgreSQL, dockerd, sshd) are not counted.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { afterAll } from 'vitest';

const log = process.env.SLIPWAY_TEST_CPU_LOG;

/** User + system seconds of this process and of its reaped children (/proc/self/stat fields 14–17). */
function cpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  return ticks / 100;
}

if (log) {
  // Setup files run before each test file is imported: its imports count too.
  const start = cpuSeconds();
  const began = Date.now();
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads hook arguments as fixtures; the file is the second
  afterAll(({}, suite) => {
    const file = (suite as { filepath?: string }).filepath ?? 'unknown';
    const line = { file, cpuS: Math.round((cpuSeconds() - start) * 100) / 100, wallS: (Date.now() - began) / 1000 };
    appendFileSync(log, `${JSON.stringify(line)}\n`);
  });
}
