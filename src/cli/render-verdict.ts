/** A canary's latest verdict as `slipway status` shows it: the outcome, then each rule with the figures it judged. */
import type { z } from 'zod';
import type { metricResultView, verdictView } from '../api/schemas.js';
import { comparedFigures } from '../judge/figure-text.js';
import { dim, green, red, stateColor } from './output.js';

type Verdict = z.infer<typeof verdictView>;
type Metric = z.infer<typeof metricResultView>;

/**
 * One rule in one line. A rule that compared the candidate with the stable release is shown by its figures, both of
 * them: the judge's own sentence for the error-rate and p95 triggers quotes only the candidate ("candidate 4.1 % …
 * > 1 %"), and a candidate's figure alone does not say whether the stable release does any better. Rules without
 * both figures (checks, availability, no data yet) keep the judge's sentence.
 */
export function metricLine(m: Metric): string {
  const judged = m.classification === 'pass' || m.classification === 'high' || m.classification === 'low';
  const figures = comparedFigures(m);
  if (!judged || m.candidate === undefined || m.stable === undefined || !figures) return m.message;
  const early = m.classification !== 'pass' && !m.conclusive ? ' (not conclusive yet)' : '';
  return `${m.rule}: ${figures}; threshold ${m.threshold}${early}`;
}

/** The judge's latest verdict: outcome, score, and each rule with the figures (worst first). */
export function renderVerdict(v: Verdict): string[] {
  const mark = (c: string) => (c === 'pass' ? green('✓') : c === 'high' || c === 'low' ? red('✗') : dim('·'));
  const order = (c: string) => (c === 'high' || c === 'low' ? 0 : c === 'error' ? 1 : c === 'nodata' ? 2 : 3);
  const lines = [
    `    verdict: ${stateColor(v.outcome === 'fail' ? 'failed' : v.outcome)} score ${Math.round(v.score)} ` +
      `${dim(`at ${v.at}${v.final ? ' (gate)' : ''}`)}`,
  ];
  for (const m of [...v.metrics].sort((a, b) => order(a.classification) - order(b.classification)).slice(0, 8))
    lines.push(`      ${mark(m.classification)} ${metricLine(m)}`);
  return lines;
}
