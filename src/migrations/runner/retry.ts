/**
 * Retrying a migration (or one statement of a non-transactional one) whose `lock_timeout`
 * expired. A short lock_timeout keeps a migration from queueing behind a long transaction
 * while every later query on the table queues behind the migration; retrying with backoff
 * then gets the lock in a quiet moment instead of failing the deployment at once.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { RetryPolicy } from './options.js';

/** Wait before retry number `retry` (1 = the first retry): base·2^(retry−1), plus up to 50% jitter so racing runners
 * spread out. */
export function backoffDelay(retry: number, baseDelayMs: number, random: () => number = Math.random): number {
  const exponential = baseDelayMs * 2 ** (retry - 1);
  return Math.round(exponential * (1 + random() / 2));
}

export interface RetryHooks {
  /** Whether this failure is worth another attempt. */
  retryable(error: unknown): boolean;
  /** Called before waiting; `attempt` is the one that failed (1-based). */
  onRetry(attempt: number, delayMs: number, error: unknown): void;
  random?: () => number;
  sleep?: (ms: number) => Promise<unknown>;
}

/** Runs `attempt` until it succeeds, fails with a non-retryable error, or `policy.attempts` are used up (then the last
 * error is thrown). */
export async function withRetries<T>(
  policy: RetryPolicy,
  hooks: RetryHooks,
  attempt: (n: number) => Promise<T>,
): Promise<T> {
  const sleep = hooks.sleep ?? delay;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (n >= policy.attempts || !hooks.retryable(error)) throw error;
      const wait = backoffDelay(n, policy.baseDelayMs, hooks.random);
      hooks.onRetry(n, wait, error);
      await sleep(wait);
    }
  }
}
