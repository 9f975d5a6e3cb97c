/**
 * Lower the CPU priority of the calling thread (Linux: setpriority on its thread id, read from /proc/thread-self;
 * elsewhere nothing). Returns the thread's nice value after, or undefined when it could not be changed. Threads the
 * caller starts later inherit it; the process's shared ones (libuv's pool, V8's) were started by its first thread.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * To `nice` (0–19), unless the thread is already there or lower (a thread started by a lowered one inherits its
 * value: asking both for 10 leaves both at 10, not the second at 19). A thread may lower itself without privileges,
 * never raise itself back.
 */
export function lowerThisThreadTo(nice: number): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    const now = getPriority(tid);
    const after = Math.min(19, Math.max(now, nice));
    if (after !== now) setPriority(tid, after);
    return after;
  } catch {
    return undefined;
  }
}
