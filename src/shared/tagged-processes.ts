import { readdirSync, readFileSync } from 'node:fs';

/**
 * Processes found by a tag in their environment. Everything a command starts for itself — the
 * coordinator, the proxy it supervises, the detached instances — inherits the tag, so whatever is
 * left when the command ends can be found and stopped even if its parent died first.
 */

/** Pids of every process whose environment holds `KEY=value` (our processes only: /proc/<pid>/environ is private). */
export function pidsWithEnv(key: string, value: string): number[] {
  const needle = `${key}=${value}`;
  const pids: number[] = [];
  // This process and the ones that started it (npm, tsx, a shell) may carry the tag too: never them.
  const own = lineage(process.pid);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || own.has(Number(entry))) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0');
      if (env.includes(needle)) pids.push(Number(entry));
    } catch {
      // gone, or not ours
    }
  }
  return pids;
}

/**
 * SIGKILL every process tagged with `KEY=value`: the safety net when a command ends, however it ends. A supervisor
 * that outlived the scan by a moment (a proxy parent, a coordinator) may start a replacement for a child killed in
 * the same pass, so it looks again until a pass finds nothing new (bounded: each pass kills what it saw).
 */
export function killTagged(key: string, value: string): number {
  const killed = new Set<number>();
  for (let pass = 0; pass < 10; pass++) {
    const fresh = pidsWithEnv(key, value).filter((pid) => !killed.has(pid));
    if (fresh.length === 0) break;
    for (const pid of fresh) {
      killed.add(pid);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  return killed.size;
}

/** `pid` and its ancestors. */
function lineage(pid: number): Set<number> {
  const seen = new Set<number>();
  for (let at = pid; at > 1 && !seen.has(at); ) {
    seen.add(at);
    try {
      const stat = readFileSync(`/proc/${at}/stat`, 'latin1');
      at = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      break;
    }
  }
  return seen;
}
