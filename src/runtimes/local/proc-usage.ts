import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { InstanceUsage } from '../runtime.js';

type Constant = 'CLK_TCK' | 'PAGESIZE';
const constants = new Map<Constant, number>();
let asked = false;

/**
 * A getconf value: CLK_TCK (USER_HZ, /proc's CPU time unit) or PAGESIZE (its RSS unit). Asked once, in the
 * background: a synchronous getconf blocked the coordinator's event loop for 374 ms (bench:ingest profile, load 15)
 * the first time it read an instance's usage. Until the answer arrives, `fallback` (Linux's value on every common
 * architecture) stands in.
 */
export function sysconf(name: Constant, fallback: number): number {
  if (!asked) {
    asked = true;
    for (const c of ['CLK_TCK', 'PAGESIZE'] as const) {
      execFile('getconf', [c], { encoding: 'utf8' }, (err, out) => {
        const value = Number(out.trim());
        if (!err && value > 0) constants.set(c, value);
      });
    }
  }
  return constants.get(name) ?? fallback;
}

/** utime + stime (ticks) and RSS (pages) of one process, from /proc/PID/stat. */
function statOf(pid: number): { ticks: number; rssPages: number } {
  return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** utime + stime (ticks) and RSS (pages) from the text of a /proc/PID/stat file (also read over SSH). */
export function parseProcStat(text: string): { ticks: number; rssPages: number } {
  // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ")".
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime 15, rss 24.
  return { ticks: Number(fields[11]) + Number(fields[12]), rssPages: Number(fields[21]) };
}

/** The process and its descendants (a shell or a server's workers count as the instance). */
export function processTree(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length && all.length < 256; i++) {
    const p = all[i]!;
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      try {
        const children = readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').trim();
        if (children) all.push(...children.split(' ').map(Number));
      } catch {
        // the task ended meanwhile
      }
    }
  }
  return all;
}

/**
 * CPU seconds and resident bytes of a process tree from /proc (Linux); undefined when the root
 * process is gone or /proc cannot be read. Children that end during the read are skipped.
 */
export function readProcUsage(pid: number, now: number): InstanceUsage | undefined {
  let root: { ticks: number; rssPages: number };
  try {
    root = statOf(pid);
  } catch {
    return undefined;
  }
  let ticks = root.ticks;
  let pages = root.rssPages;
  for (const child of processTree(pid).slice(1)) {
    try {
      const s = statOf(child);
      ticks += s.ticks;
      pages += s.rssPages;
    } catch {
      // exited between the listing and the read
    }
  }
  return { cpuSeconds: ticks / sysconf('CLK_TCK', 100), rssBytes: pages * sysconf('PAGESIZE', 4096), at: now };
}
