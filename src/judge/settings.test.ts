import { describe, expect, it } from 'vitest';
import { JudgeError } from './errors.js';
import { defaultJudgeSettings, resolveJudgeSettings, validateJudgeSettings } from './settings.js';

describe('defaultJudgeSettings', () => {
  it("carries the issue's triggers", () => {
    expect(defaultJudgeSettings.triggers).toEqual({
      errorRateVsBaseline: 5,
      p95VsBaseline: 5,
      maxErrorRate: 0.01,
      maxP95Ms: 500,
      unavailableForMs: 120_000,
    });
    expect(() => validateJudgeSettings(defaultJudgeSettings)).not.toThrow();
  });

  it('cannot be changed by accident', () => {
    expect(Object.isFrozen(defaultJudgeSettings.statistics)).toBe(true);
  });
});

describe('resolveJudgeSettings', () => {
  it('overlays what is given and keeps the rest', () => {
    const s = resolveJudgeSettings({
      triggers: { maxP95Ms: 800 },
      statistics: { confidence: 0.995, minSamples: undefined },
    });
    expect(s.triggers.maxP95Ms).toBe(800);
    expect(s.triggers.maxErrorRate).toBe(0.01);
    expect(s.statistics.confidence).toBe(0.995);
    expect(s.statistics.minSamples).toBe(20);
  });

  it('names the bad key and what it expects', () => {
    expect(() => resolveJudgeSettings({ statistics: { confidence: 99.9 } })).toThrow(
      'judge settings: statistics.confidence must be between 0.5 and 1 (0.999 = 99.9 %), got 99.9',
    );
    expect(() => resolveJudgeSettings({ triggers: { maxErrorRate: 5 } })).toThrow(
      /triggers\.maxErrorRate must be a share between 0 and 1/,
    );
    expect(() => resolveJudgeSettings({ statistics: { passScore: 70 } })).toThrow(
      /statistics\.marginalScore must be a score between 0 and passScore \(70\), got 75/,
    );
    const thrown = (() => {
      try {
        resolveJudgeSettings({ statistics: { minSamples: 2.5 } });
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(thrown).toBeInstanceOf(JudgeError);
    expect(thrown).toMatchObject({ code: 'invalid_input', details: { path: 'statistics.minSamples', value: 2.5 } });
  });
});
