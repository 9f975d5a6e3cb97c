/**
 * Figures as people read them in verdicts: "19.6 %", "341 ms", "p = 3.1e-9". One place, so
 * every message rounds the same way.
 */

/** A rate as a percentage: one decimal from 1 % up, two significant digits below, so small rates do not read as 0. */
export function formatPercent(rate: number): string {
  if (!Number.isFinite(rate)) return String(rate);
  const pct = rate * 100;
  if (pct === 0) return '0 %';
  if (Math.abs(pct) < 1) return `${Number(pct.toPrecision(2))} %`;
  return `${Number(pct.toFixed(1))} %`;
}

/** A confidence level: 0.999 → "99.9 %". */
export function formatConfidence(confidence: number): string {
  return `${Number((confidence * 100).toPrecision(6))} %`;
}

/** Milliseconds: whole above 100 ms, otherwise up to three significant digits. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return `${ms} ms`;
  return `${Math.abs(ms) >= 100 ? Math.round(ms) : Number(ms.toPrecision(3))} ms`;
}

/** A p-value: four decimals, scientific below 0.0001. */
export function formatP(p: number): string {
  if (p === 0) return 'p < 1e-300';
  return p < 1e-4 ? `p = ${p.toExponential(1)}` : `p = ${Number(p.toFixed(4))}`;
}

/** A multiple: 5 → "5×". */
export function formatTimes(multiple: number): string {
  return `${Number(multiple.toPrecision(4))}×`;
}
