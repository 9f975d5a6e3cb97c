/** The notifier's poll period while events are held back behind a running transaction, and without `subscribe`. */
export const quickPollMs = 250;
/** Its period otherwise, when the EventLog hands it events: a safety net only. */
export const safetyPollMs = 2000;

/**
 * How long the notifier's poll waits between reads of the store. With the EventLog's events (`subscribed`), 2 s;
 * without them, 250 ms; `pollMs` replaces either. While the last pass saw events held back behind a running
 * transaction, at most 250 ms whatever `pollMs` says: nothing announces when that transaction ends (a test that set
 * a minute to show deliveries come from wake-ups timed out in CI when a held-back event waited for that minute).
 */
export function pollPeriod(o: { pollMs?: number; subscribed: boolean; heldBack: boolean }): number {
  const period = o.pollMs ?? (o.subscribed ? safetyPollMs : quickPollMs);
  return o.heldBack ? Math.min(period, quickPollMs) : period;
}
