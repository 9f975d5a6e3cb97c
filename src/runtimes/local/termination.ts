import type { ChildProcess } from 'node:child_process';
import type { Clock } from '../../shared/clock.js';
import { messageOf } from '../../shared/errors.js';
import type { Logger } from '../../shared/logging.js';
import type { InstanceExit } from '../runtime.js';
import { waitForExit, type ExitWatch } from './exit-watcher.js';
import { isProcessAlive, signalGroup, type ProcessIdentity } from './process-identity.js';

/** An instance's process: spawned by us (`child` set) or adopted from an earlier coordinator. */
export type RunningProcess = ProcessIdentity & { pgid: number; port: number; child?: ChildProcess };

/** After SIGKILL a process dies unless stuck in the kernel; do not wait forever for that. */
const killWaitMs = 5000;

/** Signal the instance's group if the process is still the one we started; false if it is gone. Never throws. */
export function signalInstance(target: RunningProcess, signal: NodeJS.Signals, logger: Logger): boolean {
  // Our own child cannot be mistaken (its pid is not reused before we reap it); others are checked.
  const ours = target.child
    ? target.child.exitCode === null && target.child.signalCode === null
    : isProcessAlive(target);
  try {
    return ours && signalGroup(target.pgid, signal);
  } catch (err) {
    logger.error({ pid: target.pid, signal, err: messageOf(err) }, 'could not signal instance');
    return false;
  }
}

/**
 * SIGKILL the whole group; never throws. Used right after the leader exits, so nothing it left
 * behind holds the port or runs unsupervised (a group id cannot be reused while any member
 * lives), and on a process spawned for a stop()ped instance that nobody will ever know about.
 */
export function killLeftovers(target: RunningProcess, logger: Logger): void {
  try {
    signalGroup(target.pgid, 'SIGKILL');
  } catch (err) {
    logger.warn({ pgid: target.pgid, err: messageOf(err) }, 'could not clean up process group');
  }
}

/**
 * SIGTERM the group, wait up to `drainTimeoutMs` for the exit, then SIGKILL. Resolves with the
 * exit when it was seen (undefined if the process was already gone or never died); never throws.
 */
export async function terminate(
  target: RunningProcess,
  exit: ExitWatch,
  drainTimeoutMs: number,
  clock: Clock,
  logger: Logger,
): Promise<InstanceExit | undefined> {
  let exited: InstanceExit | undefined;
  if (signalInstance(target, 'SIGTERM', logger)) {
    exited = await waitForExit(exit, drainTimeoutMs, clock);
    if (!exited) {
      logger.warn({ pid: target.pid, drainTimeoutMs }, 'no exit after SIGTERM; sending SIGKILL');
      signalInstance(target, 'SIGKILL', logger);
      exited = await waitForExit(exit, killWaitMs, clock);
      if (!exited) logger.error({ pid: target.pid }, 'still running after SIGKILL');
    }
  }
  exit.cancel();
  killLeftovers(target, logger);
  return exited;
}
