import type { ChildProcess } from 'node:child_process';
import type { Clock } from '../../shared/clock.js';
import type { InstanceExit } from '../runtime.js';
import { isProcessAlive, type ProcessIdentity } from './process-identity.js';

/** Watches one process until it exits. */
export interface ExitWatch {
  /** Resolves once the process is gone (never rejects). */
  readonly exited: Promise<InstanceExit>;
  /** Stop watching (close, or the run is over); `exited` then never resolves. */
  cancel(): void;
}

/** How often an adopted process (not our child, so no exit event) is checked. */
export const adoptedPollMs = 250;

/**
 * Our own child reports its exit through the `exit` event, which also means libuv has reaped
 * it. A process adopted from an earlier coordinator is not our child: poll its identity
 * (pid alive and same start time); its exit code is unknowable, so code and signal are null.
 */
export function watchExit(
  target: ProcessIdentity & { child?: ChildProcess },
  clock: Clock,
  pollMs = adoptedPollMs,
): ExitWatch {
  const abort = new AbortController();
  const child = target.child;
  const exited = new Promise<InstanceExit>((resolve) => {
    if (child) {
      if (child.exitCode !== null || child.signalCode !== null) {
        resolve({ code: child.exitCode, signal: child.signalCode, at: clock.now() });
        return;
      }
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => resolve({ code, signal, at: clock.now() });
      child.once('exit', onExit);
      abort.signal.addEventListener('abort', () => child.off('exit', onExit), { once: true });
      return;
    }
    void (async () => {
      try {
        while (isProcessAlive(target)) await clock.sleep(pollMs, abort.signal);
        resolve({ code: null, signal: null, at: clock.now() });
      } catch {
        // cancelled
      }
    })();
  });
  return { exited, cancel: () => abort.abort() };
}

/** The watched exit, or undefined if it has not happened within `ms`. */
export async function waitForExit(watch: ExitWatch, ms: number, clock: Clock): Promise<InstanceExit | undefined> {
  const timer = new AbortController();
  const timeout = clock.sleep(ms, timer.signal).then(
    () => undefined,
    () => undefined,
  );
  try {
    return await Promise.race([watch.exited, timeout]);
  } finally {
    timer.abort();
  }
}
