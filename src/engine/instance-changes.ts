import type { Clock } from '../shared/clock.js';

/** Releases whose last change is remembered; past this the memory starts afresh (a wait then polls once more). */
const releasesKept = 10_000;

const woken = new Error('instance state changed');

/**
 * In-process word that the store's record of an instance changed (the instance monitor wrote what the runtime
 * reported), so a step waiting for instances to turn healthy looks again at once instead of at its next poll.
 * The waits still poll: this only makes them answer sooner, and read the store less often (bench/scale.ts: the
 * health wait was the largest share of instance reads, and a step waited up to one poll interval too long).
 */
export class InstanceChanges {
  private seq = 0;
  private readonly last = new Map<string, number>();
  private readonly waiters = new Map<string, Set<() => void>>();

  /** A mark to pass to `wait`: changes after it wake the wait even if they come before it starts. */
  mark(): number {
    return this.seq;
  }

  /** An instance of the release changed in the store. */
  changed(releaseId: string): void {
    this.seq++;
    if (this.last.size >= releasesKept) this.last.clear();
    this.last.set(releaseId, this.seq);
    const waiting = this.waiters.get(releaseId);
    if (!waiting) return;
    this.waiters.delete(releaseId);
    for (const wake of waiting) wake();
  }

  /**
   * Resolve at the release's next change after `since` or after `ms` on `clock`, whichever comes first; rejects with
   * the signal's reason when it aborts.
   */
  async wait(releaseId: string, since: number, ms: number, clock: Clock, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    if ((this.last.get(releaseId) ?? 0) > since) return;
    const local = new AbortController();
    const onAbort = () => local.abort(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const wake = () => local.abort(woken);
    const set = this.waiters.get(releaseId) ?? new Set();
    set.add(wake);
    this.waiters.set(releaseId, set);
    try {
      await clock.sleep(ms, local.signal);
    } catch (e) {
      if (e !== woken) throw e;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      const now = this.waiters.get(releaseId);
      now?.delete(wake);
      if (now?.size === 0) this.waiters.delete(releaseId);
    }
  }
}

/** Wait for a change of the release's instances (when the engine has the notifier) or else just `ms`. */
export function waitForInstances(
  ctx: { instanceChanges?: InstanceChanges; clock: Clock; signal?: AbortSignal },
  releaseId: string,
  since: number,
  ms: number,
): Promise<void> {
  return ctx.instanceChanges
    ? ctx.instanceChanges.wait(releaseId, since, ms, ctx.clock, ctx.signal)
    : ctx.clock.sleep(ms, ctx.signal);
}
