import type { Runtime } from '../runtimes/runtime.js';

/** The last `lines` lines of an instance's log, or none if the runtime cannot read it. */
export async function logTail(runtime: Runtime, instanceId: string, lines: number): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const line of runtime.logs(instanceId, { tail: lines, follow: false })) out.push(line.text);
  } catch {
    // The log is a help for people, never a reason to fail differently.
  }
  return out.slice(-lines);
}
