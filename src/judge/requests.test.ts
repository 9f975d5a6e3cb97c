import { describe, expect, it } from 'vitest';
import { prepareRequests, type RequestsMeasurement } from './requests.js';
import { requestWindow as w, requestsMeasurement } from './testing/measurements.js';

const prepare = (m: unknown) => prepareRequests(m as RequestsMeasurement);

describe('prepareRequests', () => {
  it('sorts copies of the latencies and keeps the counts', () => {
    const latencies = [30, 10, 20];
    const p = prepare(requestsMeasurement(w(3, 1, latencies), w(5, 0, [5, 1])));
    if ('problem' in p) throw new Error(p.problem);
    expect([...p.candidate.latencies]).toEqual([10, 20, 30]);
    expect(latencies).toEqual([30, 10, 20]);
    expect(p.stable).toMatchObject({ total: 5, errors: 0 });
    expect(p.baseline).toBeUndefined();
  });

  it.each([
    [w(10, 11), 'candidate window: errors must be a whole number between 0 and total (10), got 11'],
    [w(-1, 0), 'candidate window: total must be a whole number ≥ 0, got -1'],
    [w(2, 0, [1, NaN]), 'candidate window: latenciesMs contains NaN'],
    [w(2, 0, [1, -3]), 'candidate window: latenciesMs contains a negative latency (-3)'],
    [{ total: 1, errors: 0, latenciesMs: 'fast' }, 'candidate window: latenciesMs must be an array'],
  ])('explains a window a source got wrong: %j', (candidate, problem) => {
    expect(prepare(requestsMeasurement(candidate as never, w(5, 0)))).toEqual({ problem });
  });

  it('a missing stable window is a problem; a missing baseline is not', () => {
    expect(prepare({ ...requestsMeasurement(w(1, 0), w(1, 0)), stable: undefined })).toEqual({
      problem: 'stable window: missing',
    });
  });
});
