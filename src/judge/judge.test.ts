import { describe, expect, it } from 'vitest';
import type { Measurement } from '../signals/signal-source.js';
import { JudgeError } from './errors.js';
import { defaultJudgeSettings, judge } from './judge.js';
import type { JudgeInput } from './model.js';
import { requestWindow as w, requestsMeasurement, spreadMs } from './testing/measurements.js';

const look = (measurements: Measurement[], extra: Partial<JudgeInput> = {}) =>
  judge({ measurements, settings: defaultJudgeSettings, now: 1_700_000_000_000, final: false, ...extra });

const stable = () => w(11_400, 57, spreadMs(2000, 5, 50));
const healthyCandidate = () => w(600, 3, spreadMs(600, 5, 50, 9));

describe('judge: fail fast', () => {
  it('fails on the first conclusive rule, and its message is the reason', () => {
    const v = look([requestsMeasurement(w(51, 10, spreadMs(51, 5, 50)), stable())]);
    expect(v.outcome).toBe('fail');
    expect(v.at).toBe(1_700_000_000_000);
    expect(v.reason).toMatch(
      /^error-rate\.absolute: candidate 19\.6 % \(10 of 51 requests\) > 1 % at 99\.9 % confidence/,
    );
  });

  it('a zero-error stable baseline and 3 errors in 10 candidate requests fails', () => {
    const v = look([requestsMeasurement(w(10, 3, spreadMs(10, 5, 50)), w(1900, 0, spreadMs(1900, 5, 50)))]);
    expect(v.outcome).toBe('fail');
    expect(v.reason).toMatch(/^error-rate\.absolute: candidate 30 % \(3 of 10 requests\)/);
    expect(v.metrics.find((m) => m.rule === 'error-rate.vs-baseline')).toMatchObject({
      classification: 'high',
      conclusive: true,
    });
  });

  it('every verdict explains itself: candidate, stable, baseline, statistic, threshold, decision', () => {
    const v = look([
      requestsMeasurement(w(20, 0, spreadMs(20, 305, 350)), stable(), w(5000, 20, spreadMs(2000, 5, 50, 4))),
    ]);
    expect(v.outcome).toBe('fail');
    const p95 = v.metrics.find((m) => m.rule === 'latency.p95.vs-baseline')!;
    expect(p95).toMatchObject({
      metric: 'latency-p95',
      source: 'proxy',
      unit: 'ms',
      classification: 'high',
      conclusive: true,
      candidateCount: 20,
      weight: 1,
    });
    expect(p95.candidate).toBeGreaterThan(340);
    expect(p95.stable).toBeCloseTo(47.7, 0);
    expect(p95.baseline).toBeCloseTo(47.7, 0);
    expect(p95.statistic).toMatchObject({ value: 20 });
    expect(p95.threshold).toContain('5× stable p95');
    for (const m of v.metrics) {
      expect(m.message.startsWith(`${m.rule}: `)).toBe(true);
      expect(typeof m.threshold).toBe('string');
    }
    const latency = v.metrics.find((m) => m.rule === 'latency.mann-whitney')!;
    expect(latency.statistic!.name).toBe('U');
    // A JSON round trip keeps it all: the verdict is stored as it is.
    expect(JSON.parse(JSON.stringify(v))).toEqual(v);
  });

  it('all candidate instances down fails at once, before any request', () => {
    const v = look([requestsMeasurement(w(0, 0), stable())], {
      availability: { instances: 2, healthy: 0, degradedSince: 1_700_000_000_000 },
    });
    expect(v).toMatchObject({ outcome: 'fail', reason: 'availability.all-down: 0 of 2 candidate instances healthy' });
  });

  it('a failed correctness check fails', () => {
    const checks: Measurement = {
      metric: 'quote',
      source: 'http-probe',
      from: 0,
      to: 1,
      phase: 'ok',
      kind: 'checks',
      candidate: { passed: 3, failed: 1, lastFailure: 'premium 102668.99, expected 98000' },
    };
    expect(look([requestsMeasurement(healthyCandidate(), stable()), checks]).reason).toMatch(
      /^checks\.failed: quote: 1 of 4 checks failed/,
    );
  });
});

describe('judge: while the window runs', () => {
  it('healthy: running, score 100, nothing conclusive', () => {
    const v = look([requestsMeasurement(healthyCandidate(), stable())]);
    expect(v).toMatchObject({ outcome: 'running', score: 100 });
    expect(v.metrics.map((m) => m.rule)).toEqual([
      'error-rate.absolute',
      'error-rate.vs-baseline',
      'latency.p95.absolute',
      'latency.p95.vs-baseline',
      'latency.mann-whitney',
      'errors.two-proportion',
    ]);
    expect(v.reason).toBe('no regression so far (score 100: 6 of 6 rules pass, candidate 600 requests)');
  });

  it('suspicious but not conclusive: running, and the reason says what is watched', () => {
    const v = look([requestsMeasurement(w(10, 2, spreadMs(10, 5, 50)), stable())]);
    expect(v.outcome).toBe('running');
    expect(v.reason).toMatch(
      new RegExp(
        String.raw`^not conclusive yet: error-rate\.absolute: candidate 20 % \(2 of 10 requests\) > 1 % at 99 %` +
          String.raw` confidence, not yet at 99\.9 %`,
      ),
    );
  });

  it('a source reporting nonsense becomes an error result, not an exception', () => {
    const v = look([requestsMeasurement(w(10, 12), stable())]);
    expect(v.outcome).toBe('running');
    expect(v.metrics).toEqual([
      expect.objectContaining({
        classification: 'error',
        rule: 'measurement.error',
        message:
          'requests (proxy): measurement failed: the source reported an impossible candidate window: errors must be ' +
          'a whole number between 0 and total (10), got 12',
      }),
    ]);
  });

  it('never modifies the measurements it is given', () => {
    const latencies = [30, 10, 20, ...spreadMs(40, 5, 50)];
    const m = requestsMeasurement(w(43, 0, latencies), stable());
    const before = JSON.stringify(m);
    look([m]);
    expect(JSON.stringify(m)).toBe(before);
  });

  it('rejects bad settings with the key named', () => {
    const settings = { ...defaultJudgeSettings, triggers: { ...defaultJudgeSettings.triggers, maxP95Ms: -1 } };
    expect(() => look([], { settings })).toThrow(JudgeError);
    expect(() => look([], { settings })).toThrow('judge settings: triggers.maxP95Ms must be milliseconds > 0, got -1');
  });
});

describe('judge: when the window ends', () => {
  const value = (candidate: number): Measurement => ({
    metric: 'queue',
    source: 'prometheus',
    from: 0,
    to: 1,
    phase: 'ok',
    kind: 'value',
    candidate,
    stable: 100,
    higherIsWorse: true,
  });

  it('pass: score ≥ 95 with enough candidate requests', () => {
    const v = look([requestsMeasurement(healthyCandidate(), stable())], { final: true });
    expect(v).toMatchObject({
      outcome: 'pass',
      score: 100,
      reason: 'score 100 ≥ 95 (6 of 6 rules pass, candidate 600 requests)',
    });
  });

  it('inconclusive: too few candidate requests to pass', () => {
    const v = look([requestsMeasurement(w(8, 0, spreadMs(8, 5, 50)), stable())], { final: true });
    expect(v).toMatchObject({
      outcome: 'inconclusive',
      reason: 'not enough data: the candidate served 8 requests, 20 needed',
    });
  });

  it('inconclusive: between the marginal and the pass score, with what did not pass', () => {
    const v = look([requestsMeasurement(healthyCandidate(), stable()), value(150)], { final: true });
    expect(v.score).toBe(85.7);
    expect(v.outcome).toBe('inconclusive');
    expect(v.reason).toMatch(
      new RegExp(
        String.raw`^score 85\.7 between marginal 75 and pass 95 \(6 of 7 rules pass, candidate 600 requests\);` +
          String.raw` value\.vs-stable: queue: candidate 150 vs stable 100`,
      ),
    );
  });

  it('fail: below the marginal score', () => {
    const v = look([requestsMeasurement(healthyCandidate(), stable()), value(150), value(160), value(170)], {
      final: true,
    });
    expect(v.score).toBe(66.7);
    expect(v.outcome).toBe('fail');
    expect(v.reason).toMatch(/^score 66\.7 < marginal 75/);
  });

  it('a metric that could not be read keeps the canary from a clean pass', () => {
    const broken: Measurement = {
      metric: 'p99',
      source: 'prometheus',
      from: 0,
      to: 1,
      phase: 'error',
      message: 'timeout',
    };
    expect(look([requestsMeasurement(healthyCandidate(), stable()), broken], { final: true }).outcome).toBe(
      'inconclusive',
    );
  });

  it('checks alone can pass a canary without proxy traffic', () => {
    const checks: Measurement = {
      metric: 'quote',
      source: 'http-probe',
      from: 0,
      to: 1,
      phase: 'ok',
      kind: 'checks',
      candidate: { passed: 30, failed: 0 },
    };
    expect(look([checks], { final: true })).toMatchObject({ outcome: 'pass', score: 100 });
  });

  it('nothing measured at all is inconclusive', () => {
    expect(look([], { final: true })).toMatchObject({ outcome: 'inconclusive', score: 0 });
  });
});
