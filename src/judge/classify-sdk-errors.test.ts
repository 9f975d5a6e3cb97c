import { describe, expect, it } from 'vitest';
import type { ErrorWindow, Measurement, WindowIssue } from '../signals/signal-source.js';
import { judge } from './judge.js';
import { defaultJudgeSettings } from './settings.js';

const issue = (o: Partial<WindowIssue>): WindowIssue => ({
  id: 'iss_1',
  title: 'PremiumTableError: surcharge table missing',
  culprit: 'priceWithFallback (server.js:36)',
  level: 'error',
  unhandled: false,
  count: 1,
  seenInOther: false,
  ...o,
});
const window = (o: Partial<ErrorWindow> = {}): ErrorWindow => ({
  events: 0,
  issues: [],
  sessions: 0,
  crashedSessions: 0,
  ...o,
});
const errors = (candidate: ErrorWindow, stable: ErrorWindow): Measurement => ({
  metric: 'errors',
  source: 'errors',
  from: 0,
  to: 1000,
  phase: 'ok',
  kind: 'errors',
  candidate,
  stable,
});
const requests = (c: number, s: number): Measurement => ({
  metric: 'requests',
  source: 'proxy',
  from: 0,
  to: 1000,
  phase: 'ok',
  kind: 'requests',
  candidate: { total: c, errors: 0, latenciesMs: Array.from({ length: c }, () => 10) },
  stable: { total: s, errors: 0, latenciesMs: Array.from({ length: s }, () => 10) },
});
const verdict = (...measurements: Measurement[]) =>
  judge({ measurements, settings: defaultJudgeSettings, now: 1000, final: false });
const rule = (v: ReturnType<typeof verdict>, name: string) => v.metrics.find((m) => m.rule === name)!;

describe('SDK errors in the judge', () => {
  it('a new error issue with 3 events fails at once, naming the issue, its count and its first frame', () => {
    const v = verdict(errors(window({ events: 3, issues: [issue({ count: 3 })] }), window()), requests(200, 2000));
    expect(v.outcome).toBe('fail');
    expect(v.reason).toBe(
      'errors.new-issue: the candidate reports a new issue iss_1 "PremiumTableError: surcharge table missing" ' +
        '(3 handled events, first frame priceWithFallback (server.js:36)); the stable release never did',
    );
  });

  it('fewer events, an issue stable also has, or a warning-level one: not failed for it', () => {
    expect(
      rule(verdict(errors(window({ events: 2, issues: [issue({ count: 2 })] }), window())), 'errors.new-issue'),
    ).toMatchObject({ classification: 'high', conclusive: false });
    const known = verdict(
      errors(window({ events: 9, issues: [issue({ count: 9, seenInOther: true })] }), window({ events: 90 })),
      requests(200, 2000),
    );
    expect(rule(known, 'errors.new-issue')).toMatchObject({ classification: 'pass' });
    const warning = verdict(errors(window({ events: 9, issues: [issue({ count: 9, level: 'warning' })] }), window()));
    expect(rule(warning, 'errors.new-issue').classification).toBe('pass');
  });

  it('no SDK reports at all: nodata, so the score is not padded', () => {
    const v = verdict(errors(window(), window()), requests(200, 2000));
    expect(rule(v, 'errors.new-issue').classification).toBe('nodata');
    expect(rule(v, 'errors.per-request').classification).toBe('nodata');
  });

  it('error events per request: the known issue at 10× the stable rate fails', () => {
    const v = verdict(
      errors(window({ events: 40, issues: [issue({ count: 40, seenInOther: true })] }), window({ events: 20 })),
      requests(400, 4000),
    );
    expect(rule(v, 'errors.per-request')).toMatchObject({
      classification: 'high',
      conclusive: true,
      candidate: 10,
      stable: 0.5,
    });
    expect(v.outcome).toBe('fail');
    const same = verdict(errors(window({ events: 2 }), window({ events: 20 })), requests(400, 4000));
    expect(rule(same, 'errors.per-request').classification).toBe('pass');
  });

  it('crash-free sessions: a candidate crashing in 10 % of sessions against 0.1 % fails', () => {
    const v = verdict(
      errors(window({ sessions: 300, crashedSessions: 30 }), window({ sessions: 3000, crashedSessions: 3 })),
    );
    expect(rule(v, 'sessions.crash-free')).toMatchObject({ classification: 'high', conclusive: true });
    expect(rule(v, 'sessions.crash-free').message).toMatch(
      /candidate 10 % \(30 of 300\) vs stable 0\.1 % \(3 of 3000\) sessions crashed/,
    );
    const few = verdict(errors(window({ sessions: 5, crashedSessions: 5 }), window({ sessions: 3000 })));
    expect(rule(few, 'sessions.crash-free').classification).toBe('nodata');
  });
});
