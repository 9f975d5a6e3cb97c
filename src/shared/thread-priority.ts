/**
 * Lower the CPU priority of the calling thread (Linux: setpriority on its thread id, read from /proc/thread-self;
 * elsewhere nothing). Returns the thread's nice value after, or undefined when it could not be changed. Threads the
 * caller starts later inherit it; the process's shared ones (libuv's pool, V8's) were started by its first thread.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

export function lowerThisThread(by: number): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    const nice = Math.min(19, getPriority(tid) + by);
    setPriority(tid, nice);
    return nice;
  } catch {
    return undefined;
  }
}
