/** Exponential backoff with jitter: backoff, 2×, 4×… capped, each ±20 % so retries of a burst spread out. */
export function retryDelay(
  attempt: number,
  retry: { backoffMs: number; maxBackoffMs: number },
  random: () => number = Math.random,
): number {
  const base = Math.min(retry.maxBackoffMs, retry.backoffMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * The wait before the next attempt: the backoff, or what the receiver asked for (Retry-After) when that is later. The
 * receiver's ask is capped by `maxBackoffMs` (notifications.retry.maxBackoff, default 5m), the longest wait between
 * attempts the config allows: a receiver cannot park a delivery for a day.
 */
export function nextAttemptDelay(
  attempt: number,
  retry: { backoffMs: number; maxBackoffMs: number },
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  const backoff = retryDelay(attempt, retry, random);
  return retryAfterMs === undefined ? backoff : Math.max(backoff, Math.min(retryAfterMs, retry.maxBackoffMs));
}
