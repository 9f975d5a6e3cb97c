/**
 * PGlite runs a statement synchronously in WASM and resolves its promise on the microtask queue, so a chain of
 * awaited statements (a burst of emits, a worker's claims and outcomes, a long transaction) never lets the event
 * loop turn: timers, sockets and their timeouts all wait until the chain ends — in bench:notify, seconds during
 * which no notification could be sent and no deployment timer fired. Before each statement the driver asks
 * `turnIfBusy()`: once the store has run for `sliceMs` since the loop last turned, the statement waits for one
 * setImmediate, and the timers and I/O that were due run first.
 *
 * The slice is per process, not per database: every PGlite in the process shares the one event loop.
 */

/** How long PGlite statements may run back to back before the event loop gets a turn. */
export const defaultSliceMs = 10;

let sliceStart: number | undefined;

/** Forget the slice: the event loop has turned since it began. */
const turned = () => {
  sliceStart = undefined;
};

/**
 * Undefined while the current slice has time left (no extra microtask on the common path); else a promise that
 * resolves after the event loop has turned once.
 */
export function turnIfBusy(sliceMs = defaultSliceMs): Promise<void> | undefined {
  const now = performance.now();
  if (sliceStart === undefined) {
    // The first statement since the loop last turned: the check phase of this turn ends the slice.
    sliceStart = now;
    setImmediate(turned);
    return undefined;
  }
  if (now - sliceStart < sliceMs) return undefined;
  // Scheduled after `turned`, so the statement starts a fresh slice.
  return new Promise((resolve) => setImmediate(resolve));
}
