/** Exponential backoff with jitter: backoff, 2×, 4×… capped, each ±20 % so retries of a burst spread out. */
export function retryDelay(
  attempt: number,
  retry: { backoffMs: number; maxBackoffMs: number },
  random: () => number = Math.random,
): number {
  const base = Math.min(retry.maxBackoffMs, retry.backoffMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}
