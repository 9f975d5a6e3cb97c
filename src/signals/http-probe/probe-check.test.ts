import { describe, expect, it } from 'vitest';
import { CheckLog } from './check-log.js';
import { problemsWith, valueAt } from './probe-check.js';
import { checkProbeConfig } from './probe-config.js';

const release = { candidate: '2.0.0', header: 'x-release' };
const answer = (status: number, body: unknown, headers: Record<string, string> = { 'x-release': '2.0.0' }) => ({
  status,
  headers,
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('problemsWith', () => {
  it('passes an answer that meets every expectation', () => {
    expect(
      problemsWith(
        answer(200, { premium: 102668.99, quote: { vesselClass: 'tanker' } }),
        { json: { premium: 102668.99, 'quote.vesselClass': 'tanker' }, bodyContains: 'tanker', release: true },
        release,
      ),
    ).toEqual([]);
  });

  it('says the status, the JSON values and the body text that are wrong', () => {
    expect(problemsWith(answer(500, { error: 'injected' }), {}, release)).toEqual(['status 500, expected 200']);
    expect(
      problemsWith(answer(200, { premium: 105749.06 }), { json: { premium: 102668.99, currency: 'USD' } }, release),
    ).toEqual(['premium: 105749.06, expected 102668.99', 'currency: missing, expected "USD"']);
    expect(problemsWith(answer(201, 'hello'), { status: 201, bodyContains: 'premium' }, release)).toEqual([
      'body does not contain "premium"',
    ]);
    expect(problemsWith(answer(200, '<html>'), { json: { premium: 1 } }, release)).toEqual([
      'body is not JSON ("<html>")',
    ]);
  });

  it('tells when another release answered, or when it cannot tell', () => {
    expect(problemsWith(answer(200, {}, { 'x-release': '1.0.0' }), { release: true }, release)).toEqual([
      'answered by release 1.0.0 (x-release), expected candidate 2.0.0',
    ]);
    expect(problemsWith(answer(200, {}, {}), { release: true }, release)).toEqual([
      'no x-release header, so it cannot be told that candidate 2.0.0 answered',
    ]);
    expect(problemsWith(answer(200, {}, {}), {}, release)).toEqual([]);
  });
});

describe('valueAt', () => {
  it('follows dotted paths through objects and arrays', () => {
    const doc = { a: { b: [{ c: 1 }, { c: null }] } };
    expect(valueAt(doc, 'a.b.1.c')).toEqual({ found: true, value: null });
    expect(valueAt(doc, 'a.b.2.c')).toEqual({ found: false });
    expect(valueAt(doc, 'a.toString')).toEqual({ found: false });
  });
});

describe('CheckLog', () => {
  it('summarises the checks in a window with the last failure', () => {
    const log = new CheckLog();
    log.add({ at: 10, outcome: 'fail', detail: 'old' });
    log.add({ at: 20, outcome: 'pass' });
    log.add({ at: 30, outcome: 'fail', detail: 'status 500, expected 200' });
    log.add({ at: 40, outcome: 'error', detail: 'cannot reach' });
    expect(log.summary(15, 50)).toEqual({
      kind: 'checks',
      window: { passed: 1, failed: 1, lastFailure: 'status 500, expected 200' },
    });
    expect(log.summary(35, 50)).toEqual({ kind: 'error', message: 'cannot reach' });
    expect(log.summary(50, 60)).toEqual({ kind: 'none' });
  });

  it('keeps at most its capacity', () => {
    const log = new CheckLog(10);
    for (let i = 0; i < 100; i++) log.add({ at: i, outcome: 'pass' });
    const s = log.summary(0, 100);
    expect(s.kind === 'checks' && s.window.passed).toBeLessThanOrEqual(15);
    expect(log.summary(99, 100)).toEqual({ kind: 'checks', window: { passed: 1, failed: 0 } });
  });
});

describe('checkProbeConfig', () => {
  const probe = { name: 'p', path: '/', expect: {} };
  const message = (config: object) => {
    try {
      checkProbeConfig({ url: 'http://127.0.0.1:8081', probes: [probe], ...config } as never);
      return 'no error';
    } catch (e) {
      return (e as Error).message;
    }
  };
  it('names the key that is wrong', () => {
    expect(message({})).toBe('no error');
    expect(message({ url: 'localhost' })).toMatch(/^http-probe source: url: "localhost" is not a URL/);
    expect(message({ probes: [] })).toBe('http-probe source: probes: expected at least one probe');
    expect(message({ probes: [probe, probe] })).toBe('http-probe source: probes[1].name: "p" is used by another probe');
    expect(message({ probes: [{ ...probe, path: 'quotes' }] })).toBe(
      'http-probe source: probes[0].path: expected a path starting with "/", got "quotes"',
    );
    expect(message({ probes: [{ ...probe, body: {} }] })).toBe(
      'http-probe source: probes[0].body: a body needs a method such as POST (method is GET)',
    );
    expect(message({ probes: [{ ...probe, method: 'FETCH' }] })).toMatch(
      /^http-probe source: probes\[0\]\.method: expected one of GET, POST/,
    );
    expect(message({ probes: [{ ...probe, expect: { status: 42 } }] })).toBe(
      'http-probe source: probes[0].expect.status: expected an HTTP status 100–599, got 42',
    );
    expect(message({ intervalMs: -1 })).toBe('http-probe source: intervalMs: expected a positive number of ms, got -1');
  });
});
