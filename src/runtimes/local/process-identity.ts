import { readFileSync } from 'node:fs';

/**
 * A pid alone is not an identity: after the instance dies the kernel may hand the same pid to
 * an unrelated process. The start time in /proc/<pid>/stat (clock ticks since boot) is fixed
 * for a process's life, so pid + start time names exactly one process.
 */
export type ProcessIdentity = {
  pid: number;
  /** Field 22 of /proc/<pid>/stat; null where /proc is unavailable (then the pid alone is trusted). */
  procStart: number | null;
};

interface ProcStat {
  state: string;
  startTime: number;
}

/** Parse /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses, so split after the last ')'. */
export function parseProcStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  // After ")" come fields 3..N; field 3 (state) is index 0, field 22 (starttime) is index 19.
  const fields = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const state = fields[0];
  const startTime = Number(fields[19]);
  if (!state || !Number.isSafeInteger(startTime)) return undefined;
  return { state, startTime };
}

/** Read synchronously so a child that exits at once is still there (unreaped) when we look. */
function readProcStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The start time of `pid`, or null when it cannot be read (no /proc, or already gone). */
export function readProcStart(pid: number): number | null {
  return readProcStat(pid)?.startTime ?? null;
}

/** Whether /proc can be read at all on this machine. */
function procAvailable(): boolean {
  return readProcStat(process.pid) !== undefined;
}

/**
 * Whether the process is alive and is the one we started. A zombie counts as dead: its parent
 * (after a coordinator crash, whoever adopted the orphan) may never reap it.
 */
export function isProcessAlive(identity: ProcessIdentity): boolean {
  try {
    process.kill(identity.pid, 0);
  } catch {
    // ESRCH: gone. EPERM: the pid exists but belongs to someone else, so it is not our instance.
    return false;
  }
  const stat = readProcStat(identity.pid);
  if (!stat) return !procAvailable();
  if (stat.state === 'Z' || stat.state === 'X') return false;
  return identity.procStart === null || stat.startTime === identity.procStart;
}

/**
 * Signal a whole process group (the instance and anything it spawned). Returns false when the
 * group no longer exists. Callers check identity first: a group id is only reused once every
 * member is gone.
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  if (!Number.isSafeInteger(pgid) || pgid <= 1) throw new Error(`refusing to signal process group ${pgid}`);
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}
