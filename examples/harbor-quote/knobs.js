// Behaviour knobs, read from the environment once at start, so canary tests and the demo can
// make a release misbehave on purpose.

function number(name, fallback = 0) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`harbor-quote: ${name} must be a non-negative number, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return value;
}

export const knobs = {
  /** Share (0..1) of non-health requests answered with 500. */
  failRate: number('FAIL_RATE'),
  /** Added to every non-health request, in ms. */
  extraLatencyMs: number('EXTRA_LATENCY_MS'),
  /** Random extra latency, uniform in [0, LATENCY_JITTER_MS]. */
  latencyJitterMs: number('LATENCY_JITTER_MS'),
  /** Exit with status 1 right after start. */
  crashOnStart: process.env.CRASH_ON_START === '1' || process.env.CRASH_ON_START === 'true',
  /** Wait this long before listening (a slow boot). */
  slowStartMs: number('SLOW_START_MS'),
  /** Share (0..1) of quotes whose pricing throws (EXCEPTION_NAME) and falls back to v1: still a 200, reported to
   * Sentry when SENTRY_DSN is set. */
  exceptionRate: number('EXCEPTION_RATE'),
  exceptionName: process.env.EXCEPTION_NAME || 'SurchargeTableError',
  /** Premium model: v1 or v2. */
  quoteModel: process.env.QUOTE_MODEL || 'v1',
};
