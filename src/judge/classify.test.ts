import { describe, expect, it } from 'vitest';
import type { Measurement } from '../signals/signal-source.js';
import { classifyOther, classifyRequests } from './classify.js';
import type { MetricResult } from './model.js';
import { prepareRequests, type RequestsMeasurement } from './requests.js';
import { defaultJudgeSettings as settings } from './settings.js';
import { requestWindow as w, requestsMeasurement, spreadMs } from './testing/measurements.js';

function classify(m: Measurement): { latency: MetricResult; errors: MetricResult } {
  const p = prepareRequests(m as RequestsMeasurement);
  if ('problem' in p) throw new Error(p.problem);
  const [latency, errors] = classifyRequests(p, settings);
  return { latency: latency!, errors: errors! };
}

const stableLatencies = spreadMs(2000, 5, 50, 2);

describe('latency.mann-whitney', () => {
  it('+300 ms: high and conclusive, with U, p and both medians', () => {
    const { latency } = classify(requestsMeasurement(w(20, 0, spreadMs(20, 305, 350)), w(2000, 0, stableLatencies)));
    expect(latency).toMatchObject({
      metric: 'latency',
      rule: 'latency.mann-whitney',
      unit: 'ms',
      classification: 'high',
      conclusive: true,
      candidateCount: 20,
      stableCount: 2000,
    });
    expect(latency.candidate).toBeCloseTo(327.5, 6);
    expect(latency.stable).toBeCloseTo(27.5, 6);
    // every candidate latency above every stretched stable one
    expect(latency.statistic).toMatchObject({ name: 'U', value: 40000 });
    expect(latency.statistic!.pValue).toBeLessThan(1e-12);
    expect(latency.threshold).toBe('median above stable (+20 %, at least +25 ms) at 99.9 % confidence');
    expect(latency.message).toMatch(
      new RegExp(
        String.raw`^latency\.mann-whitney: candidate median 328 ms vs stable 27\.5 ms \(20 and 2000 requests\):` +
          String.raw` slower than allowed \(\+20 %, at least \+25 ms\) at 99\.9 % confidence \(U = 40000, p = `,
      ),
    );
  });

  it(
    'a slowdown inside the allowance passes however much data there is (+10 ms on 5–50 ms, under the +25 ms ' +
      'floor)',
    () => {
      const { latency } = classify(
        requestsMeasurement(w(1000, 0, spreadMs(1000, 15, 60, 3)), w(10_000, 0, spreadMs(10_000, 5, 50, 4))),
      );
      expect(latency).toMatchObject({ classification: 'pass', conclusive: false });
      expect(latency.statistic!.pValue).toBeGreaterThan(0.5);
    },
  );

  it('a slowdown beyond it is found in a moderate sample (median 80 ms against 27.5 ms, 200 requests)', () => {
    const { latency } = classify(
      requestsMeasurement(w(200, 0, spreadMs(200, 40, 120, 5)), w(4000, 0, spreadMs(4000, 5, 50, 6))),
    );
    expect(latency).toMatchObject({ classification: 'high', conclusive: true });
  });

  it('on a slow service the +20 % ratio governs: +10 % passes, +40 % fails', () => {
    const stable = w(4000, 0, spreadMs(4000, 200, 400, 7));
    expect(classify(requestsMeasurement(w(300, 0, spreadMs(300, 220, 440, 8)), stable)).latency.classification).toBe(
      'pass',
    );
    expect(classify(requestsMeasurement(w(300, 0, spreadMs(300, 280, 560, 9)), stable)).latency).toMatchObject({
      classification: 'high',
      conclusive: true,
    });
  });

  it('faster is a pass, not a failure', () => {
    const { latency } = classify(requestsMeasurement(w(100, 0, spreadMs(100, 1, 5)), w(2000, 0, stableLatencies)));
    expect(latency).toMatchObject({ classification: 'pass' });
  });

  it('nodata below minSamples, on either side', () => {
    expect(
      classify(requestsMeasurement(w(19, 0, spreadMs(19, 305, 350)), w(2000, 0, stableLatencies))).latency,
    ).toMatchObject({
      classification: 'nodata',
      message: 'latency.mann-whitney: 19 candidate latencies, 20 needed',
    });
    expect(
      classify(requestsMeasurement(w(50, 0, spreadMs(50, 5, 50)), w(10, 0, spreadMs(10, 5, 50)))).latency,
    ).toMatchObject({
      classification: 'nodata',
      message: 'latency.mann-whitney: fewer than 20 stable latencies',
    });
  });
});

describe('errors.two-proportion', () => {
  it('5 % against 0.5 % (+0.5 points allowed): high and conclusive, every figure shown', () => {
    const { errors } = classify(requestsMeasurement(w(600, 30), w(11_400, 57)));
    expect(errors).toMatchObject({
      metric: 'error-rate',
      rule: 'errors.two-proportion',
      unit: '%',
      classification: 'high',
      conclusive: true,
      candidate: 5,
      stable: 0.5,
      candidateCount: 600,
      stableCount: 11_400,
    });
    expect(errors.statistic!.value).toBeGreaterThan(5);
    expect(errors.statistic!.pValue).toBeLessThan(1e-6);
    expect(errors.message).toMatch(
      new RegExp(
        String.raw`^errors\.two-proportion: candidate 5 % \(30 of 600\) vs stable 0\.5 % \(57 of 11400\): worse` +
          String.raw` than allowed \(\+0\.5 points\) at 99\.9 % confidence` +
          String.raw` \(z = \d+\.\d\d, p = .*; exact p = .*; Fisher p = .*\)$`,
      ),
    );
  });

  it(
    '3 unlucky errors among the first 32 requests are not conclusive (the score test alone would say p = ' + '4.5e-8)',
    () => {
      const { errors } = classify(requestsMeasurement(w(32, 3), w(621, 1)));
      expect(errors.conclusive).toBe(false);
      // The largest of the three p-values: the exact binomial at stable (Jeffreys) + 0.5 points.
      expect(errors.statistic!.pValue).toBeCloseTo(0.0017194134940658253, 10);
    },
  );

  it('within the allowance passes: 0.8 % against 0.5 %', () => {
    expect(classify(requestsMeasurement(w(1000, 8), w(20_000, 100))).errors).toMatchObject({
      classification: 'pass',
      conclusive: false,
    });
  });

  it('nodata below minSamples', () => {
    expect(classify(requestsMeasurement(w(10, 5), w(2000, 10))).errors).toMatchObject({
      classification: 'nodata',
      message: 'errors.two-proportion: 10 candidate requests, 20 needed',
    });
  });
});

describe('value measurements', () => {
  const value = (candidate: number, stable: number, higherIsWorse: boolean): Measurement => ({
    metric: 'queue-depth',
    source: 'prometheus',
    from: 0,
    to: 1,
    phase: 'ok',
    kind: 'value',
    candidate,
    stable,
    higherIsWorse,
    unit: 'jobs',
  });

  it('higher is worse: 30 % above stable is high (never conclusive: one number has no sample size)', () => {
    const r = classifyOther(value(130, 100, true) as never, settings);
    expect(r).toMatchObject({
      metric: 'queue-depth',
      source: 'prometheus',
      rule: 'value.vs-stable',
      classification: 'high',
      conclusive: false,
      candidate: 130,
      stable: 100,
      unit: 'jobs',
    });
    expect(r.message).toBe(
      'value.vs-stable: queue-depth: candidate 130 jobs vs stable 100 jobs (+30 %), worse than 20 % higher',
    );
  });

  it('within the allowance, or better, passes', () => {
    expect(classifyOther(value(110, 100, true) as never, settings).classification).toBe('pass');
    expect(classifyOther(value(50, 100, true) as never, settings).classification).toBe('pass');
  });

  it('lower is worse: 30 % below stable is low', () => {
    expect(classifyOther(value(70, 100, false) as never, settings).classification).toBe('low');
    expect(classifyOther(value(130, 100, false) as never, settings).classification).toBe('pass');
  });

  it('a zero stable value: any move the bad way counts; NaN is an error', () => {
    expect(classifyOther(value(1, 0, true) as never, settings).classification).toBe('high');
    expect(classifyOther(value(NaN, 0, true) as never, settings).classification).toBe('error');
  });
});

describe('checks', () => {
  const checks = (passed: number, failed: number, lastFailure?: string): Measurement => ({
    metric: 'quote-premium',
    source: 'http-probe',
    from: 0,
    to: 1,
    phase: 'ok',
    kind: 'checks',
    candidate: { passed, failed, ...(lastFailure ? { lastFailure } : {}) },
  });

  it('one failed check is conclusive: a correctness canary', () => {
    const r = classifyOther(checks(11, 1, 'POST /quotes: premium 102668.99, expected 98000') as never, settings);
    expect(r).toMatchObject({
      rule: 'checks.failed',
      classification: 'high',
      conclusive: true,
      candidate: 1,
      candidateCount: 12,
    });
    expect(r.message).toBe(
      'checks.failed: quote-premium: 1 of 12 checks failed on the candidate; last: POST /quotes: premium 102668.99, ' +
        'expected 98000',
    );
  });

  it('all passed is a pass; none ran is nodata', () => {
    expect(classifyOther(checks(12, 0) as never, settings).classification).toBe('pass');
    expect(classifyOther(checks(0, 0) as never, settings).classification).toBe('nodata');
  });
});

describe('measurements a source could not take', () => {
  it('error and nodata phases keep the source message', () => {
    const error = classifyOther(
      {
        metric: 'p99',
        source: 'prometheus',
        from: 0,
        to: 1,
        phase: 'error',
        message: 'connect ECONNREFUSED 127.0.0.1:9090',
      },
      settings,
    );
    expect(error).toMatchObject({
      rule: 'measurement.error',
      classification: 'error',
      conclusive: false,
      message: 'p99 (prometheus): measurement failed: connect ECONNREFUSED 127.0.0.1:9090',
    });
    const nodata = classifyOther(
      { metric: 'p99', source: 'prometheus', from: 0, to: 1, phase: 'nodata', message: 'empty result' },
      settings,
    );
    expect(nodata).toMatchObject({ rule: 'measurement.nodata', classification: 'nodata' });
  });
});
