import { randomBytes } from 'node:crypto';
import { killTagged } from './tagged-processes.js';

type Cleanup = () => Promise<unknown> | unknown;

const cleanups: Cleanup[] = [];
/** Synchronous safety nets that run even when the cleanups overrun their limit (see exitAfterCleanup). */
const lastResorts: Array<() => void> = [];
let installed = false;
let exiting = false;
let signalsEndWell = false;
/** A cleanup that hangs must not keep the process alive for ever. */
let cleanupLimitMs = 60_000;

/**
 * Run `fn` when the process ends however it ends: after `runCleanups()` on a normal finish, on an
 * uncaught error or unhandled rejection, and on SIGINT, SIGTERM and SIGHUP (then the process exits
 * with 128 + the signal number). Cleanups run newest first. Returns a function that unregisters it.
 */
export function onExit(fn: Cleanup): () => void {
  install();
  cleanups.push(fn);
  return () => {
    const at = cleanups.indexOf(fn);
    if (at >= 0) cleanups.splice(at, 1);
  };
}

/** Run (and forget) every registered cleanup, newest first; failures are reported on stderr and do not stop the rest.
 * */
export async function runCleanups(): Promise<void> {
  while (cleanups.length > 0) {
    const fn = cleanups.pop()!;
    try {
      await fn();
    } catch (e) {
      process.stderr.write(`cleanup failed: ${(e as Error)?.message ?? e}\n`);
    }
  }
}

/**
 * Tag this process's environment (`SLIPWAY_RUN=<random>`, or the value already there) so every
 * process it starts inherits it, and kill whatever still carries the tag when the process ends —
 * the safety net under the orderly cleanups. Returns the tag.
 */
export function tagThisRun(key = 'SLIPWAY_RUN'): string {
  const tag = process.env[key] || `run-${process.pid}-${randomBytes(4).toString('hex')}`;
  process.env[key] = tag;
  // Registered first, so it runs last: after the orderly stops, only stragglers are left.
  onExit(() => killTagged(key, tag));
  // And also when an orderly stop hangs past the limit: the process must not exit leaving its processes running.
  lastResorts.push(() => killTagged(key, tag));
  return tag;
}

/**
 * Whether the process is already ending (a signal, an uncaught error): what its work fails with from here on is the
 * stop's doing (the coordinator closing under a request), not a failure to report with another exit code.
 */
export function isExiting(): boolean {
  return exiting;
}

/** How long the cleanups may take once the process is ending (a command that knows its stops are quicker). */
export function setCleanupLimit(ms: number): void {
  cleanupLimitMs = ms;
}

/** A signal is how this command is meant to end (the demo runs until Ctrl-C): exit 0 after cleanup, not 128 + n. */
export function signalsEndNormally(): void {
  signalsEndWell = true;
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const [signal, number] of [
    ['SIGINT', 2],
    ['SIGTERM', 15],
    ['SIGHUP', 1],
  ] as const) {
    process.on(signal, () => void exitAfterCleanup(signalsEndWell ? 0 : 128 + number));
  }
  process.on('uncaughtException', (e) => {
    process.stderr.write(`${e?.stack ?? e}\n`);
    void exitAfterCleanup(1);
  });
  process.on('unhandledRejection', (e) => {
    process.stderr.write(`${(e as Error)?.stack ?? e}\n`);
    void exitAfterCleanup(1);
  });
}

async function exitAfterCleanup(code: number): Promise<void> {
  if (exiting) return; // a second Ctrl-C while stopping: the stop is already under way
  exiting = true;
  const limit = setTimeout(() => {
    process.stderr.write(`cleanup did not finish within ${cleanupLimitMs} ms; stopping what is left\n`);
    for (const fn of lastResorts) {
      try {
        fn();
      } catch {
        // exiting regardless
      }
    }
    process.exit(code);
  }, cleanupLimitMs);
  limit.unref();
  await runCleanups();
  process.exit(code);
}
