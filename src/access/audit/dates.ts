const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/;
const dateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

// PostgreSQL has no year 0 (Date has: 1 BC), and Date writes year 10000 as +010000: neither is a timestamptz.
const earliest = Date.parse('0001-01-01T00:00:00.000Z');
const latest = Date.parse('9999-12-31T23:59:59.999Z');
const inRange = (at: Date) => at.getTime() >= earliest && at.getTime() <= latest;

/** Written as a date (it starts with a year), so it is read as one: never as a duration like `30d`. */
export const looksLikeDate = (text: string): boolean => /^\d{4}-/.test(text);

/**
 * A bound for the audit export: `2026-10-01` (midnight UTC) or a full ISO time with a zone
 * (`2026-10-01T08:00:00+02:00`). Anything else, including impossible dates like 2026-02-31,
 * gives undefined — a time without a zone would mean something else on the coordinator — and so
 * does an instant outside the years 1 to 9999 (UTC).
 */
export function parseAuditTime(text: string): Date | undefined {
  const day = dateOnly.exec(text);
  if (day) {
    const at = new Date(`${text}T00:00:00.000Z`);
    return !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 10) === text && inRange(at) ? at : undefined;
  }
  if (!dateTime.test(text)) return undefined;
  const at = new Date(text);
  // Date rolls 2026-02-31 over into March; the day it kept must be the one written.
  const [y, m, d] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  return !Number.isNaN(at.getTime()) && d <= new Date(Date.UTC(y, m, 0)).getUTCDate() && inRange(at) ? at : undefined;
}
