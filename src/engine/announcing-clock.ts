import type { Clock } from '../shared/clock.js';
import type { Db } from '../store/db.js';

/**
 * The engine's clock, telling the store when each of its waits ends. A step starts when a wait ends (a pause, an
 * analysis interval, the next poll) and writes at once; told ahead, PGlite's thread starts no background statement
 * (a notification burst's 2–10 ms batches) just before, so the step does not queue behind one (bench:notify).
 */
export function announcingClock(clock: Clock, db: Db): Clock {
  if (!db.deploymentWriteDue) return clock;
  return {
    now: () => clock.now(),
    sleep: (ms, signal) => {
      if (!signal?.aborted) db.deploymentWriteDue?.(ms);
      return clock.sleep(ms, signal);
    },
  };
}
