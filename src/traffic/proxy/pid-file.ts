import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The proxy process the supervisor started or adopted, recorded in <stateDir>/proxy.pid. */

/** File in the state dir recording the proxy's pid. */
export const pidFileName = 'proxy.pid';

/** Contents of proxy.pid. */
export interface PidFile {
  pid: number;
  admin: string;
  /** We spawned it as a process group leader, so the whole group can be signalled. */
  group: boolean;
}

/** Record the proxy's pid (0600). */
export async function writePidFile(stateDir: string, content: PidFile): Promise<void> {
  await writeFile(path.join(stateDir, pidFileName), `${JSON.stringify(content)}\n`, { mode: 0o600 });
}

/** The recorded proxy, or undefined when there is none or the file is unreadable. */
export async function readPidFile(file: string): Promise<PidFile | undefined> {
  try {
    const data = JSON.parse(await readFile(file, 'utf8')) as Partial<PidFile>;
    if (typeof data.pid !== 'number' || data.pid <= 1 || typeof data.admin !== 'string') return undefined;
    return { pid: data.pid, admin: data.admin, group: data.group === true };
  } catch {
    return undefined;
  }
}

/** Is a process with this pid alive (EPERM: alive, owned by someone else)? */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Signal the proxy; its whole process group when we started it as a group leader. Never throws. */
export function signalProcess(pid: number, group: boolean, sig: NodeJS.Signals): void {
  try {
    process.kill(group ? -pid : pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      // Already gone.
    }
  }
}

/** Poll until the process is gone; false on timeout. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !alive(pid);
}
