import { formatConfidence } from './format.js';
import type { JudgeSettings } from './model.js';

/** How strong one-sided evidence of "worse" is, at the judge's two confidence levels. */
export interface Significance {
  /** Worse at `scoreConfidence`: counts against the score. */
  worse: boolean;
  /** Worse at `confidence`: enough to fail the canary now. */
  conclusive: boolean;
}

/** Read a one-sided p-value ("the candidate is worse") against both confidence levels. */
export function significanceOf(pValue: number, settings: JudgeSettings): Significance {
  const conclusive = pValue < 1 - settings.statistics.confidence;
  return { conclusive, worse: conclusive || pValue < 1 - settings.statistics.scoreConfidence };
}

/** "at 99.9 % confidence", "at 99 % confidence, not yet at 99.9 %", or "not significant". */
export function describeSignificance(s: Significance, settings: JudgeSettings): string {
  const { confidence, scoreConfidence } = settings.statistics;
  if (s.conclusive) return `at ${formatConfidence(confidence)} confidence`;
  if (s.worse) return `at ${formatConfidence(scoreConfidence)} confidence, not yet at ${formatConfidence(confidence)}`;
  return 'not significant';
}
