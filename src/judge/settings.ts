import { JudgeError } from './errors.js';
import type { JudgeSettings } from './model.js';

/**
 * The judge's defaults. Triggers: the issue's (5× error rate, 5× p95, 1 %, 500 ms, 2 min).
 * Statistics: chosen for a judge that looks every second and must not cry wolf —
 *  - confidence 99.9 % per look: with ~60 looks at cumulative data, and every null set at a
 *    margin above a healthy candidate (see sequential.ts), the false-fail rate stays ≪ 1 %;
 *  - scoreConfidence 99 %: the score decides once, at the end of the window;
 *  - +20 % latency (and never less than 25 ms), +0.5 points of errors, 20 % for values;
 *  - 20 candidate requests before the comparative tests speak (2 s at 10 req/s); the
 *    triggers' exact tests need no minimum;
 *  - pass at 95, fail below 75: Kayenta's customary thresholds.
 */
export const defaultJudgeSettings: JudgeSettings = Object.freeze({
  triggers: Object.freeze({
    errorRateVsBaseline: 5,
    p95VsBaseline: 5,
    maxErrorRate: 0.01,
    maxP95Ms: 500,
    unavailableForMs: 120_000,
  }),
  statistics: Object.freeze({
    confidence: 0.999,
    scoreConfidence: 0.99,
    allowedLatencyIncrease: 0.2,
    minLatencyIncreaseMs: 25,
    allowedErrorRateIncrease: 0.005,
    allowedValueChange: 0.2,
    minSamples: 20,
    passScore: 95,
    marginalScore: 75,
  }),
}) as JudgeSettings;

/** Settings given in part (from slipway.yaml): each key missing falls back to its default. */
export interface JudgeSettingsOverrides {
  triggers?: Partial<JudgeSettings['triggers']>;
  statistics?: Partial<JudgeSettings['statistics']>;
}

/** Defaults overlaid with `overrides`, checked; throws JudgeError naming the first bad key. */
export function resolveJudgeSettings(overrides: JudgeSettingsOverrides = {}): JudgeSettings {
  const settings: JudgeSettings = {
    triggers: { ...defaultJudgeSettings.triggers, ...definedOnly(overrides.triggers) },
    statistics: { ...defaultJudgeSettings.statistics, ...definedOnly(overrides.statistics) },
  };
  validateJudgeSettings(settings);
  return settings;
}

type Rule = [path: string, value: unknown, ok: (v: number) => boolean, expected: string];

/** Throw a JudgeError naming the key (e.g. `statistics.confidence`) when a setting is out of range. */
export function validateJudgeSettings(settings: JudgeSettings): void {
  const t = settings.triggers;
  const s = settings.statistics;
  const probability = (v: number) => v > 0 && v < 1;
  const positive = (v: number) => v > 0;
  const rules: Rule[] = [
    ['triggers.errorRateVsBaseline', t.errorRateVsBaseline, (v) => v >= 1, 'a multiple ≥ 1'],
    ['triggers.p95VsBaseline', t.p95VsBaseline, (v) => v >= 1, 'a multiple ≥ 1'],
    ['triggers.maxErrorRate', t.maxErrorRate, probability, 'a share between 0 and 1 (0.01 = 1 %)'],
    ['triggers.maxP95Ms', t.maxP95Ms, positive, 'milliseconds > 0'],
    ['triggers.unavailableForMs', t.unavailableForMs, (v) => v >= 0, 'milliseconds ≥ 0'],
    ['statistics.confidence', s.confidence, (v) => v >= 0.5 && v < 1, 'between 0.5 and 1 (0.999 = 99.9 %)'],
    ['statistics.scoreConfidence', s.scoreConfidence, (v) => v >= 0.5 && v < 1, 'between 0.5 and 1 (0.99 = 99 %)'],
    ['statistics.allowedLatencyIncrease', s.allowedLatencyIncrease, (v) => v >= 0, 'a share ≥ 0 (0.2 = +20 %)'],
    ['statistics.minLatencyIncreaseMs', s.minLatencyIncreaseMs, (v) => v >= 0, 'milliseconds ≥ 0'],
    [
      'statistics.allowedErrorRateIncrease',
      s.allowedErrorRateIncrease,
      (v) => v >= 0 && v < 1,
      'a share between 0 and 1 (0.005 = 0.5 points)',
    ],
    ['statistics.allowedValueChange', s.allowedValueChange, (v) => v >= 0, 'a share ≥ 0 (0.2 = 20 %)'],
    ['statistics.minSamples', s.minSamples, (v) => Number.isInteger(v) && v >= 1, 'a whole number ≥ 1'],
    ['statistics.passScore', s.passScore, (v) => v >= 0 && v <= 100, 'a score between 0 and 100'],
    [
      'statistics.marginalScore',
      s.marginalScore,
      (v) => v >= 0 && v <= s.passScore,
      `a score between 0 and passScore (${s.passScore})`,
    ],
  ];
  for (const [path, value, ok, expected] of rules) {
    if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
      throw new JudgeError(`judge settings: ${path} must be ${expected}, got ${JSON.stringify(value)}`, {
        path,
        value,
      });
    }
  }
}

function definedOnly<T extends object>(partial: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(partial ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}
