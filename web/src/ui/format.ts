/** How figures and times read on every page: units always, times relative with the absolute one beside. */

const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto', style: 'short' });
const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
];

/** "3 min. ago", "in 20 sec." */
export function relativeTime(iso: string, now = Date.now()): string {
  const delta = new Date(iso).getTime() - now;
  for (const [unit, ms] of units) {
    if (Math.abs(delta) >= ms || unit === 'second') return rtf.format(Math.round(delta / ms), unit);
  }
  return iso;
}

/** "2026-12-04 08:31:07 UTC": unambiguous for an auditor, whatever the browser's zone. */
export function absoluteTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** "1 min 20 s", "850 ms", "5 h 12 min", "29.9 days" */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  // Rounded down, so a figure just under a target in days (MTBF ≥ 30 days) never reads as the target itself.
  if (m >= 48 * 60) return `${(Math.floor((m / 1440) * 10) / 10).toFixed(1)} days`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** A figure with its unit: "2.35 %", "41.2 ms", "1,204 requests". */
export function figure(value: number | undefined, unit?: string): string {
  if (value === undefined || Number.isNaN(value)) return '—';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  const text = value.toLocaleString('en', { maximumFractionDigits: digits });
  if (!unit) return text;
  return unit === '%' ? `${text} %` : `${text} ${unit}`;
}

/** An alert's value or threshold in its reading's unit: a ratio as a percentage, days and milliseconds named. */
export function alertFigure(value: number, unit: 'ms' | 'ratio' | 'days' | 'count'): string {
  if (unit === 'ratio') return figure(value * 100, '%');
  if (unit === 'days') return figure(value, Math.abs(value) === 1 ? 'day' : 'days');
  return figure(value, unit === 'ms' ? 'ms' : undefined);
}

/** A p-value as statisticians write it. */
export function pValue(p: number | undefined): string {
  if (p === undefined) return '—';
  return p < 0.0001 ? `p < 0.0001` : `p = ${p.toPrecision(2)}`;
}

/** Deployment states in words. */
export const stateWords: Record<string, string> = {
  queued: 'queued',
  running: 'running',
  rolling_back: 'rolling back',
  succeeded: 'succeeded',
  rolled_back: 'rolled back',
  failed: 'failed',
  cancelled: 'cancelled',
};
