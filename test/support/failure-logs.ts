import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * When a test fails, the warn-and-above lines of the logs of every System it used are printed: CI keeps only the
 * test output, and a deployment that failed for a reason only the coordinator saw (a refused store write, a lease
 * lost) otherwise leaves nothing to read. Systems register their logs directory while they run; a System closed
 * inside the test leaves its lines here until the test's outcome is known.
 */

/** pino's level numbers: 40 warn, 50 error, 60 fatal. */
const warnLevel = 40;
const linesPerLog = 40;

const running = new Map<string, string>();
let closed: string[] = [];

/** `dir` holds the logs of the System tagged `tag` while it runs. */
export function watchLogs(tag: string, dir: string): void {
  running.set(tag, dir);
}

/** The System is being closed: keep its lines for the current test's report, then forget it. */
export function releaseLogs(tag: string): void {
  const dir = running.get(tag);
  running.delete(tag);
  if (dir) closed.push(...describeLogs(tag, dir));
}

/** The report for a failed test: every running System's lines and those of the Systems closed since it began. */
export function failureReport(): string {
  const lines = [...closed];
  for (const [tag, dir] of running) lines.push(...describeLogs(tag, dir));
  return lines.join('\n');
}

/** A new test begins: Systems closed during an earlier one are not its concern. */
export function resetClosed(): void {
  closed = [];
}

function describeLogs(tag: string, dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.log'))) {
    const picked = warnLines(readFileSync(path.join(dir, file), 'utf8'));
    if (picked.length > 0) out.push(`--- ${file} of System ${tag.slice(0, 8)} (warn and above, last ${linesPerLog}):`);
    out.push(...picked);
  }
  return out;
}

/** The last warn-and-above lines of a pino log (other lines, and lines that are not JSON, are left out). */
export function warnLines(text: string, limit = linesPerLog): string[] {
  const picked: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const level = (JSON.parse(line) as { level?: unknown }).level;
      if (typeof level === 'number' && level >= warnLevel) picked.push(line);
    } catch {
      // A line cut off by a kill: not a record.
    }
  }
  return picked.slice(-limit);
}
