/** The notifier's poll period while events are held back behind a running transaction, and without `subscribe`. */
export const quickPollMs = 250;
/** Its period otherwise, when the EventLog hands it events: a safety net only. */
export const safetyPollMs = 2000;

/**
 * How long the notifier's poll waits between reads of the store. Given `pollMs`, always that. With the EventLog's
 * events (`subscribed`), 2 s — but 250 ms while the last pass saw events held back behind a running transaction,
 * because nothing announces when that transaction ends. Without them, 250 ms.
 */
export function pollPeriod(o: { pollMs?: number; subscribed: boolean; heldBack: boolean }): number {
  return o.pollMs ?? (o.subscribed && !o.heldBack ? safetyPollMs : quickPollMs);
}
