import { readdirSync, readFileSync } from 'node:fs';

/** Pids of every process whose environment holds `KEY=value` (our processes only: /proc/<pid>/environ is private to us). */
export function pidsWithEnv(key: string, value: string): number[] {
  const needle = `${key}=${value}`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0');
      if (env.includes(needle)) pids.push(Number(entry));
    } catch {
      // gone, or not ours
    }
  }
  return pids;
}

/** SIGKILL every process tagged with `KEY=value`: the safety net after a test, whatever happened in it. */
export function killTagged(key: string, value: string): number {
  const pids = pidsWithEnv(key, value);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return pids.length;
}

/** Poll `check` until it returns a truthy value or the timeout passes. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`,
      );
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Instance ids (SLIPWAY_INSTANCE) of the live processes tagged with `KEY=value`. */
export function taggedInstanceIds(key: string, value: string): string[] {
  const ids: string[] = [];
  for (const pid of pidsWithEnv(key, value)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue; // a zombie is not running
      const env = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      const id = env.find((e) => e.startsWith('SLIPWAY_INSTANCE='));
      if (id) ids.push(id.slice('SLIPWAY_INSTANCE='.length));
    } catch {
      // gone
    }
  }
  return ids;
}
