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
