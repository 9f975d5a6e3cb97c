import { readFileSync } from 'node:fs';
import { pidsWithEnv } from '../../src/shared/tagged-processes.js';

export { killTagged, pidsWithEnv } from '../../src/shared/tagged-processes.js';

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

/** The state letter of /proc/<pid>/stat (R, S, D, Z…); throws when the process is gone. */
function processState(pid: number): string | undefined {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
}

/** Instance ids (SLIPWAY_INSTANCE) of the live processes tagged with `KEY=value`. */
export function taggedInstanceIds(key: string, value: string): string[] {
  const ids: string[] = [];
  for (const pid of pidsWithEnv(key, value)) {
    try {
      if (processState(pid) === 'Z') continue; // a zombie is not running
      const env = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      const id = env.find((e) => e.startsWith('SLIPWAY_INSTANCE='));
      if (id) ids.push(id.slice('SLIPWAY_INSTANCE='.length));
    } catch {
      // gone
    }
  }
  return ids;
}

/** Wait until no process carries `KEY=value`; a timeout names what is left (pid, state, command line). */
export async function untilTaggedGone(key: string, value: string, timeoutMs = 10_000): Promise<void> {
  try {
    await until('every tagged process to be gone', () => pidsWithEnv(key, value).length === 0, timeoutMs);
  } catch (e) {
    const left = pidsWithEnv(key, value).map((pid) => {
      try {
        const state = processState(pid);
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ').trim();
        return `${pid} (${state}) ${cmdline.slice(0, 160)}`;
      } catch {
        return `${pid} (gone)`;
      }
    });
    throw new Error(`${(e as Error).message}; left: ${left.join('; ') || 'none by now'}`);
  }
}
