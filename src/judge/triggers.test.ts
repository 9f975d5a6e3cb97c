import { describe, expect, it } from 'vitest';
import type { Measurement } from '../signals/signal-source.js';
import type { MetricResult } from './model.js';
import { prepareRequests, type PreparedRequests, type RequestsMeasurement } from './requests.js';
import { defaultJudgeSettings as settings } from './settings.js';
import { requestWindow as w, requestsMeasurement, spreadMs } from './testing/measurements.js';
import { availabilityTriggers, requestTriggers } from './triggers.js';

function prepare(m: Measurement): PreparedRequests {
  const p = prepareRequests(m as RequestsMeasurement);
  if ('problem' in p) throw new Error(p.problem);
  return p;
}

function rule(results: MetricResult[], id: string): MetricResult {
  const found = results.find((r) => r.rule === id);
  if (!found) throw new Error(`no ${id} in ${results.map((r) => r.rule).join(', ')}`);
  return found;
}

const healthyStable = w(2000, 10, spreadMs(2000, 5, 50));

describe('error-rate.absolute', () => {
  const triggers = (candidate: ReturnType<typeof w>) =>
    requestTriggers(prepare(requestsMeasurement(candidate, healthyStable)), settings);

  it('fails 10 errors in 51 requests with the figures in the message', () => {
    const r = rule(triggers(w(51, 10)), 'error-rate.absolute');
    expect(r).toMatchObject({
      metric: 'error-rate',
      source: 'proxy',
      classification: 'high',
      conclusive: true,
      unit: '%',
      candidateCount: 51,
      stable: 0.5,
    });
    expect(r.candidate).toBeCloseTo(19.6, 1);
    expect(r.threshold).toBe('> 1 % at 99.9 % confidence');
    expect(r.statistic).toMatchObject({ name: 'errors (exact binomial)', value: 10 });
    expect(r.statistic!.pValue).toBeLessThan(1e-9);
    expect(r.message).toMatch(
      new RegExp(
        String.raw`^error-rate\.absolute: candidate 19\.6 % \(10 of 51 requests\) > 1 % at 99\.9 % confidence` +
          String.raw` \(exact lower bound 6\.2 %, p = \d\.\de-\d+\)$`,
      ),
    );
  });

  it('2 errors in 10 requests: high at 99 %, not yet conclusive at 99.9 % (p = 0.0043)', () => {
    const r = rule(triggers(w(10, 2)), 'error-rate.absolute');
    expect(r).toMatchObject({ classification: 'high', conclusive: false });
    expect(r.statistic!.pValue).toBeCloseTo(0.004266200242831419, 12);
    expect(r.message).toBe(
      'error-rate.absolute: candidate 20 % (2 of 10 requests) > 1 % at 99 % confidence, not yet at 99.9 % (p = 0.0043)',
    );
  });

  it('one error in 60 requests is above 1 % but no evidence', () => {
    const r = rule(triggers(w(60, 1)), 'error-rate.absolute');
    expect(r).toMatchObject({ classification: 'pass', conclusive: false });
    expect(r.message).toMatch(/candidate 1\.7 % \(1 of 60 requests\) above 1 %, not significant yet \(p = 0\.45/);
  });

  it('nodata before the first request', () => {
    expect(rule(triggers(w(0, 0)), 'error-rate.absolute')).toMatchObject({
      classification: 'nodata',
      message: 'error-rate.absolute: no candidate requests yet',
    });
  });
});

describe('error-rate.vs-baseline', () => {
  it('a zero-error stable release does not make 5× 0 = 0: the Jeffreys estimate sets the limit', () => {
    const results = requestTriggers(prepare(requestsMeasurement(w(10, 0), w(1900, 0))), settings);
    const r = rule(results, 'error-rate.vs-baseline');
    // (0 + ½) / 1901 = 0.0263 %; 5× = 0.13 %: no candidate errors is no evidence.
    expect(r.baseline).toBeCloseTo(100 * (0.5 / 1901), 10);
    expect(r).toMatchObject({ classification: 'pass', conclusive: false });
    expect(r.threshold).toBe('> 5× stable 0.026 % = 0.13 % at 99.9 % confidence');
  });

  it('fails 3 errors in 10 requests against a zero-error stable release', () => {
    const r = rule(
      requestTriggers(prepare(requestsMeasurement(w(10, 3), w(1900, 0))), settings),
      'error-rate.vs-baseline',
    );
    expect(r).toMatchObject({ classification: 'high', conclusive: true });
  });

  it('tolerates what the stable release also does: 5 % against 2 % stable is within 5×', () => {
    const results = requestTriggers(prepare(requestsMeasurement(w(500, 25), w(2000, 40))), settings);
    expect(rule(results, 'error-rate.vs-baseline')).toMatchObject({ classification: 'pass' });
    expect(rule(results, 'error-rate.absolute')).toMatchObject({ classification: 'high', conclusive: true });
  });

  it('uses the pre-deployment baseline while the stable window is short, and says so', () => {
    const m = requestsMeasurement(w(40, 8), w(5, 0), w(3000, 3));
    const r = rule(requestTriggers(prepare(m), settings), 'error-rate.vs-baseline');
    expect(r.threshold).toMatch(/^> 5× baseline 0\.12 % = 0\.58 %/);
    expect(r.stableCount).toBe(3000);
    expect(r).toMatchObject({ classification: 'high', conclusive: true });
  });

  it('nodata without enough stable requests', () => {
    const r = rule(
      requestTriggers(prepare(requestsMeasurement(w(40, 8), w(5, 0))), settings),
      'error-rate.vs-baseline',
    );
    expect(r).toMatchObject({
      classification: 'nodata',
      message: 'error-rate.vs-baseline: fewer than 20 stable requests to compare with',
    });
  });
});

describe('latency.p95 triggers', () => {
  const stable = w(2000, 0, spreadMs(2000, 5, 50)); // p95 ≈ 47.7 ms → 5× ≈ 239 ms

  it('absolute: 14 of 20 requests slower than 500 ms fails', () => {
    const latencies = [...spreadMs(14, 600, 900), ...spreadMs(6, 100, 200)];
    const r = rule(
      requestTriggers(prepare(requestsMeasurement(w(20, 0, latencies), stable)), settings),
      'latency.p95.absolute',
    );
    expect(r).toMatchObject({
      metric: 'latency-p95',
      unit: 'ms',
      classification: 'high',
      conclusive: true,
      candidateCount: 20,
    });
    expect(r.statistic).toMatchObject({ value: 14 });
    expect(r.message).toMatch(
      new RegExp(
        String.raw`^latency\.p95\.absolute: candidate p95 \d+ ms \(14 of 20 requests slower than 500 ms\) > 500 ms` +
          String.raw` at 99\.9 % confidence \(at least \d+(\.\d)? % slower than 500 ms, p = `,
      ),
    );
  });

  it('absolute: one slow request in 20 is a p95 at the limit, not above it', () => {
    const latencies = [...spreadMs(19, 10, 50), 900];
    expect(
      rule(
        requestTriggers(prepare(requestsMeasurement(w(20, 0, latencies), stable)), settings),
        'latency.p95.absolute',
      ),
    ).toMatchObject({ classification: 'pass' });
  });

  it('vs-baseline: +300 ms is conclusive after 3 requests, high but not conclusive after 2', () => {
    const slow = spreadMs(3, 305, 350);
    const three = rule(
      requestTriggers(prepare(requestsMeasurement(w(3, 0, slow), stable)), settings),
      'latency.p95.vs-baseline',
    );
    expect(three).toMatchObject({ classification: 'high', conclusive: true });
    expect(three.statistic!.pValue).toBeCloseTo(0.05 ** 3, 12);
    expect(three.baseline).toBeCloseTo(47.7, 0);
    expect(three.threshold).toMatch(/^> 5× stable p95 47\.7 ms = 239 ms at 99\.9 % confidence$/);
    const two = rule(
      requestTriggers(prepare(requestsMeasurement(w(2, 0, slow.slice(0, 2)), stable)), settings),
      'latency.p95.vs-baseline',
    );
    expect(two).toMatchObject({ classification: 'high', conclusive: false }); // p = 0.0025
  });

  it('vs-baseline: a 2 ms service is not failed for a 10 ms warm-up (the +25 ms floor)', () => {
    const fast = w(2000, 0, spreadMs(2000, 1, 2));
    const warmUp = spreadMs(10, 9, 15);
    const r = rule(
      requestTriggers(prepare(requestsMeasurement(w(10, 0, warmUp), fast)), settings),
      'latency.p95.vs-baseline',
    );
    expect(r.threshold).toMatch(/at least \+25 ms = 26\.9 ms/);
    expect(r.classification).toBe('pass');
    const reallySlow = spreadMs(10, 40, 60);
    expect(
      rule(
        requestTriggers(prepare(requestsMeasurement(w(10, 0, reallySlow), fast)), settings),
        'latency.p95.vs-baseline',
      ),
    ).toMatchObject({ conclusive: true });
  });

  it('nodata without latencies', () => {
    const results = requestTriggers(prepare(requestsMeasurement(w(5, 0), stable)), settings);
    expect(rule(results, 'latency.p95.absolute')).toMatchObject({
      classification: 'nodata',
      message: 'latency.p95.absolute: no candidate latencies yet',
    });
  });
});

describe('availability', () => {
  const at = 1_000_000;
  const one = (input: Parameters<typeof availabilityTriggers>[0]) => availabilityTriggers(input, settings, at)[0]!;

  it('every candidate instance down fails at once', () => {
    expect(one({ instances: 2, healthy: 0, degradedSince: at })).toMatchObject({
      rule: 'availability.all-down',
      classification: 'high',
      conclusive: true,
      message: 'availability.all-down: 0 of 2 candidate instances healthy',
    });
  });

  it('some down: high at once, conclusive after unavailableForMs (2 min)', () => {
    const early = one({ instances: 3, healthy: 2, degradedSince: at - 30_000 });
    expect(early).toMatchObject({ rule: 'availability.unavailable', classification: 'high', conclusive: false });
    expect(early.message).toBe(
      'availability.unavailable: 1 of 3 candidate instances not healthy for 30.0s (limit 2m00s)',
    );
    const late = one({ instances: 3, healthy: 2, degradedSince: at - 120_000 });
    expect(late).toMatchObject({ classification: 'high', conclusive: true });
    expect(late.message).toContain('for 2m00s (≥ 2m00s)');
  });

  it('an unknown start time never fails by itself', () => {
    expect(one({ instances: 3, healthy: 2 })).toMatchObject({ conclusive: false });
  });

  it('healthy passes; no instances is nodata; nonsense is an error; no input, no result', () => {
    expect(one({ instances: 2, healthy: 2 }).classification).toBe('pass');
    expect(one({ instances: 0, healthy: 0 }).classification).toBe('nodata');
    expect(one({ instances: 2, healthy: 3 }).classification).toBe('error');
    expect(availabilityTriggers(undefined, settings, at)).toEqual([]);
  });
});
