const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/;
const dateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * A bound for the audit export: `2026-10-01` (midnight UTC) or a full ISO time with a zone
 * (`2026-10-01T08:00:00+02:00`). Anything else, including impossible dates like 2026-02-31,
 * gives undefined — a time without a zone would mean something else on the coordinator.
 */
export function parseAuditTime(text: string): Date | undefined {
  const day = dateOnly.exec(text);
  if (day) {
    const at = new Date(`${text}T00:00:00.000Z`);
    return !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 10) === text ? at : undefined;
  }
  if (!dateTime.test(text)) return undefined;
  const at = new Date(text);
  // Date rolls 2026-02-31 over into March; the day it kept must be the one written.
  const [y, m, d] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  return !Number.isNaN(at.getTime()) && d <= new Date(Date.UTC(y, m, 0)).getUTCDate() ? at : undefined;
}
