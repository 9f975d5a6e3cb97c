/** The figures of a verdict as one line of a notification (the `verdict.figures` value). */
import { formatFigure } from '../judge/figure-text.js';
import type { MetricResult } from '../model/verdict.js';

// Rounded as status, the incident timeline and the postmortem round them: a message and the screen it links to agree.
const figure = (n: number | undefined, unit?: string) => (n === undefined ? '—' : formatFigure(n, unit));

/**
 * The metrics that decided, as "error-rate: candidate 19.6 % vs stable 0.2 %", joined by "; ". Several rules judge
 * one metric (error-rate.absolute and error-rate.vs-baseline): the same figures are shown once, and figures that
 * differ for one metric name their rule, so no line repeats another and each says what it is.
 */
export function figuresOf(metrics: MetricResult[]): string | undefined {
  const deciding = metrics.filter((m) => m.classification !== 'pass' && m.classification !== 'nodata');
  const figures = (deciding.length > 0 ? deciding : metrics).map((m) => ({
    m,
    text: `candidate ${figure(m.candidate, m.unit)} vs stable ${figure(m.stable ?? m.baseline, m.unit)}`,
  }));
  const unique = figures.filter(
    (f, i) => figures.findIndex((g) => g.m.metric === f.m.metric && g.text === f.text) === i,
  );
  const shared = (metric: string) => unique.filter((f) => f.m.metric === metric).length > 1;
  const lines = unique.slice(0, 5).map((f) => `${shared(f.m.metric) ? f.m.rule : f.m.metric}: ${f.text}`);
  return lines.length > 0 ? lines.join('; ') : undefined;
}
