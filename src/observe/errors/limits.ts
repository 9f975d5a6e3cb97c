/** Sizes an ingest request may have (Sentry's Relay has limits of the same kind; these fit one small machine). */
export const ingestLimits = {
  /** The body as sent (compressed or not). */
  bodyBytes: 2 * 1024 * 1024,
  /** The body once decompressed. */
  envelopeBytes: 8 * 1024 * 1024,
  /** One event or transaction item. */
  eventBytes: 1024 * 1024,
  /** Items in one envelope. */
  items: 100,
} as const;
