/**
 * CPU time of each thread of this process, from /proc/self/task/<tid>/stat (Linux only; elsewhere empty). The
 * benchmarks use it where one thread's CPU per operation tells the story (PGlite's worker thread in bench:notify):
 * on a shared machine wall-clock latencies swing with the load, the CPU a thread spent much less.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ThreadCpu {
  tid: number;
  name: string;
  ms: number;
}

let ticksPerSecond: number | undefined;
const clockTicks = () => {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  return ticksPerSecond;
};

/** Every thread's user + system CPU so far, in ms. */
export function threadCpu(): ThreadCpu[] {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return [];
  }
  const perTick = 1000 / clockTicks();
  const threads: ThreadCpu[] = [];
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // The name is in parentheses and may hold spaces; the fields after it are space-separated.
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      // Fields 14 and 15 of stat (utime, stime) are the 12th and 13th after the name.
      threads.push({ tid: Number(tid), name, ms: (Number(fields[11]) + Number(fields[12])) * perTick });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return threads;
}

/** CPU ms each thread spent between two readings, busiest first (threads gone by `after` are left out). */
export function threadCpuSince(before: ThreadCpu[], after: ThreadCpu[] = threadCpu()): ThreadCpu[] {
  const then = new Map(before.map((t) => [t.tid, t.ms]));
  return after
    .map((t) => ({ ...t, ms: Math.round(t.ms - (then.get(t.tid) ?? 0)) }))
    .filter((t) => t.ms > 0)
    .sort((a, b) => b.ms - a.ms);
}
