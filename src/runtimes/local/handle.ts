import type { InstanceHandle } from '../runtime.js';
import { RuntimeError } from './errors.js';
import type { ProcessIdentity } from './process-identity.js';
import { loopback } from './port.js';

/** What the engine persists for a local instance; enough to find (and verify) the process again. */
export type LocalHandle = ProcessIdentity & {
  runtime: 'local';
  /** 127.0.0.1:PORT */
  address: string;
  port: number;
  /** The instance's process group (it is the group leader: spawned detached). */
  pgid: number;
  logFile: string;
  /** Restarts so far, so the count survives a coordinator restart. */
  restarts: number;
};

/** Build the handle for a running process. */
export function localHandle(
  process: ProcessIdentity & { port: number; pgid: number },
  logFile: string,
  restarts: number,
): LocalHandle {
  return {
    runtime: 'local',
    address: `${loopback}:${process.port}`,
    pid: process.pid,
    port: process.port,
    pgid: process.pgid,
    procStart: process.procStart,
    logFile,
    restarts,
  };
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 1;
}

/** Check a handle the engine gives back; names the instance and field that is wrong. */
export function parseLocalHandle(handle: InstanceHandle, instanceId: string): LocalHandle {
  const bad = (field: string, problem: string) =>
    new RuntimeError('invalid_input', `instance ${instanceId}: handle ${field} ${problem}`, { instanceId, field });
  if (handle.runtime !== 'local') throw bad('runtime', `is ${JSON.stringify(handle.runtime)}, not "local"`);
  if (!isId(handle.pid)) throw bad('pid', 'must be a process id');
  if (!isId(handle.pgid)) throw bad('pgid', 'must be a process group id');
  const port = handle.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535)
    throw bad('port', 'must be a TCP port');
  const procStart = handle.procStart ?? null;
  if (procStart !== null && (typeof procStart !== 'number' || !Number.isSafeInteger(procStart)))
    throw bad('procStart', 'must be a number or null');
  if (typeof handle.logFile !== 'string' || handle.logFile === '') throw bad('logFile', 'must be a path');
  const restarts =
    typeof handle.restarts === 'number' && Number.isInteger(handle.restarts) && handle.restarts >= 0
      ? handle.restarts
      : 0;
  return localHandle({ pid: handle.pid, pgid: handle.pgid, procStart, port }, handle.logFile, restarts);
}
