/** A rule's stored figures in words, for the surfaces that quote a verdict (status, incident timeline, postmortem). */
import type { MetricResult } from '../model/verdict.js';
import { formatMs, formatPercent } from './format.js';

/**
 * A figure with its unit, rounded as the judge's own messages round it (formatPercent, formatMs): the stored
 * figures are raw (33.33333333333333 %), and people read them.
 */
export function formatFigure(value: number, unit: string | undefined): string {
  if (unit === '%') return formatPercent(value / 100);
  if (unit === 'ms') return formatMs(value);
  const rounded = Number.isFinite(value) ? Number(value.toPrecision(4)) : value;
  return `${rounded}${unit ? ` ${unit}` : ''}`;
}

/**
 * "candidate 19.6 % (51) vs stable 0.2 % (480)", with the baseline when the rule has one; undefined for a rule
 * without figures (checks, availability). The counts in brackets are the samples behind each figure.
 */
export function comparedFigures(m: MetricResult): string | undefined {
  const parts: string[] = [];
  const count = (n: number | undefined) => (n !== undefined ? ` (${n})` : '');
  if (m.candidate !== undefined) parts.push(`candidate ${formatFigure(m.candidate, m.unit)}${count(m.candidateCount)}`);
  if (m.stable !== undefined) parts.push(`stable ${formatFigure(m.stable, m.unit)}${count(m.stableCount)}`);
  if (m.baseline !== undefined) parts.push(`baseline ${formatFigure(m.baseline, m.unit)}`);
  return parts.length > 0 ? parts.join(' vs ') : undefined;
}
