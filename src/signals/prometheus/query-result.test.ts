import { describe, expect, it } from 'vitest';
import { parseQueryAnswer } from './query-result.js';

const q = 'sum(rate(x[30s]))';
const addr = 'http://127.0.0.1:9090';
const vector = (...values: string[]) =>
  JSON.stringify({
    status: 'success',
    data: {
      resultType: 'vector',
      result: values.map((v, i) => ({ metric: { i: String(i) }, value: [1700000000, v] })),
    },
  });

describe('parseQueryAnswer', () => {
  it('reads a one-series vector and a scalar', () => {
    expect(parseQueryAnswer(200, vector('0.25'), q, addr)).toEqual({ phase: 'ok', value: 0.25 });
    expect(
      parseQueryAnswer(
        200,
        JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [1700000000, '3'] } }),
        q,
        addr,
      ),
    ).toEqual({ phase: 'ok', value: 3 });
  });

  it('says nodata for no series, NaN and infinities', () => {
    expect(parseQueryAnswer(200, vector(), q, addr)).toEqual({
      phase: 'nodata',
      message: `query returned no series: ${q}`,
    });
    expect(parseQueryAnswer(200, vector('NaN'), q, addr)).toMatchObject({
      phase: 'nodata',
      message: expect.stringContaining('NaN'),
    });
    expect(parseQueryAnswer(200, vector('+Inf'), q, addr)).toMatchObject({
      phase: 'nodata',
      message: expect.stringContaining('+Inf'),
    });
    expect(parseQueryAnswer(200, vector('-Inf'), q, addr)).toMatchObject({
      phase: 'nodata',
      message: expect.stringContaining('-Inf'),
    });
  });

  it('is an error when the query does not aggregate to one series', () => {
    const out = parseQueryAnswer(200, vector('1', '2', '3'), q, addr);
    expect(out).toMatchObject({ phase: 'error' });
    expect(out.phase === 'error' && out.message).toMatch(
      /^query returned 3 series, expected one .*sum\(rate\(x\[30s\]\)\)$/,
    );
    expect(
      parseQueryAnswer(200, JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } }), q, addr),
    ).toMatchObject({ phase: 'error', message: expect.stringContaining('range vector') });
  });

  it("passes on Prometheus' own error type and message", () => {
    const body = JSON.stringify({
      status: 'error',
      errorType: 'bad_data',
      error: '1:14: parse error: unclosed left parenthesis',
    });
    expect(parseQueryAnswer(400, body, 'sum(rate(x[30s])', addr)).toEqual({
      phase: 'error',
      message: 'bad_data: 1:14: parse error: unclosed left parenthesis (query: sum(rate(x[30s]))',
    });
    expect(
      parseQueryAnswer(
        503,
        JSON.stringify({ status: 'error', errorType: 'timeout', error: 'query timed out' }),
        q,
        addr,
      ),
    ).toMatchObject({ message: expect.stringMatching(/^timeout: query timed out/) });
  });

  it('is an error for an answer that is not JSON or has no value', () => {
    expect(parseQueryAnswer(502, '<html>Bad Gateway</html>', q, addr)).toEqual({
      phase: 'error',
      message: `Prometheus at ${addr} answered HTTP 502 with something that is not JSON: <html>Bad Gateway</html>`,
    });
    expect(
      parseQueryAnswer(
        200,
        JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {} }] } }),
        q,
        addr,
      ),
    ).toMatchObject({ phase: 'error' });
    expect(parseQueryAnswer(200, vector('abc'), q, addr)).toMatchObject({
      phase: 'error',
      message: expect.stringContaining('not a number'),
    });
  });
});
