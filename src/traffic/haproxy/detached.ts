import { readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { masterSocket, pidFile } from './files.js';
import { type HaproxyProcessOptions, startHaproxy } from './haproxy-process.js';
import { MasterCli, type ProcessList } from './master-cli.js';

/**
 * The HAProxy of one state dir as the coordinator keeps it: started detached (it serves on while no coordinator
 * runs), adopted through its master CLI socket by the next coordinator, stopped only when asked. Unlike
 * superviseHaproxy (supervisor.ts), nothing here watches it: the coordinator's watchdog calls ensureHaproxy again
 * when `healthy()` says it is gone, exactly as it does for the built-in proxy.
 */

/** The running master's processes, or undefined when nothing answers on the state dir's master socket. */
export function runningHaproxy(stateDir: string, timeoutMs = 2_000): Promise<ProcessList | undefined> {
  return new MasterCli(masterSocket(stateDir), timeoutMs).processes().catch(() => undefined);
}

/**
 * Adopt the haproxy answering on `<stateDir>/master.sock`, or start one from the saved tables.
 * A master that does not answer is not taken for gone while its process lives: on a saturated machine its answer
 * can take longer than the 2 s allowed (or it is stopped), its worker serves on meanwhile, and a second haproxy
 * started beside it binds the same addresses (SO_REUSEPORT) and shares the connections with it, the first one
 * routing by tables nobody updates any more: requests sent to instances already stopped, 503 after its retries
 * (bench:zero-downtime with `--proxy haproxy` at load 22–26). So a live one is adopted; only one whose master
 * socket is gone, which no router can reach again, is stopped before another starts.
 */
export async function ensureHaproxy(options: HaproxyProcessOptions): Promise<{ pid: number; started: boolean }> {
  const running = await runningHaproxy(options.stateDir);
  if (running) return { pid: running.master, started: false };
  const master = await recordedMaster(options.stateDir);
  if (master !== undefined && !(await gone(master)) && (await isOurHaproxy(master, options.stateDir))) {
    if (await exists(masterSocket(options.stateDir))) return { pid: master, started: false };
    await stopHaproxy(options.stateDir, { graceMs: 10_000 });
  }
  const started = await startHaproxy(options);
  return { pid: started.pid, started: true };
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/**
 * Soft-stop the state dir's haproxy (SIGUSR1: listeners close, requests in flight finish), then SIGTERM after
 * `graceMs` (default 40 s, beyond a drain timeout) and SIGKILL 5 s later. Waits until master and workers are gone,
 * so the listen addresses are free when it resolves. Idempotent; a pid that is no longer this dir's haproxy is
 * left alone.
 */
export async function stopHaproxy(
  stateDir: string,
  options: { graceMs?: number } = {},
): Promise<{ stopped: boolean; pid?: number }> {
  const procs = await runningHaproxy(stateDir);
  const master = procs?.master ?? (await recordedMaster(stateDir));
  if (master === undefined || !(await isOurHaproxy(master, stateDir))) {
    await rm(pidFile(stateDir), { force: true });
    return { stopped: false };
  }
  const pids = [master, ...(procs ? [procs.worker, ...procs.oldWorkers] : [])];
  signal(master, 'SIGUSR1');
  if (!(await allGone(pids, options.graceMs ?? 40_000))) {
    signal(master, 'SIGTERM');
    if (!(await allGone(pids, 5_000))) for (const pid of pids) signal(pid, 'SIGKILL');
    await allGone(pids, 5_000);
  }
  await rm(pidFile(stateDir), { force: true });
  return { stopped: true, pid: master };
}

async function recordedMaster(stateDir: string): Promise<number | undefined> {
  const text = await readFile(pidFile(stateDir), 'utf8').catch(() => '');
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Guards against pid reuse: the process must be a haproxy started on this state dir's master socket. */
async function isOurHaproxy(pid: number, stateDir: string): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  const args = cmdline.split('\0');
  return (
    path.basename(args[0] ?? '').includes('haproxy') &&
    args.some((a) => a.startsWith(masterSocket(stateDir)) || a.startsWith(masterSocket(path.resolve(stateDir))))
  );
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** A pid is gone once it no longer exists or is a zombie waiting for its parent. */
async function gone(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat === undefined || /^\d+ \(.*\) Z/.test(stat);
}

async function allGone(pids: number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await Promise.all(pids.map(gone))).every(Boolean)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}
