import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../store/repos/events.js';
import type { VerdictRecord } from '../store/repos/verdicts.js';
import { formatFigure } from '../judge/figure-text.js';
import { buildTimeline, figureLine } from './timeline.js';

const at = (s: number) => new Date(Date.parse('2026-12-04T02:00:00Z') + s * 1000);
let id = 0;
function event(s: number, kind: string, message: string, data: Record<string, unknown> = {}): EventRecord {
  return { id: ++id, kind, message, data, at: at(s), deploymentId: 'dep_1', project: 'harbor' };
}

const failing: VerdictRecord = {
  id: 1,
  deploymentId: 'dep_1',
  step: 2,
  final: false,
  at: at(12).getTime(),
  outcome: 'fail',
  score: 40,
  reason: 'error-rate.absolute: candidate 19.6 % of 51 requests > 1 %',
  metrics: [
    {
      metric: 'error-rate',
      source: 'proxy',
      rule: 'error-rate.absolute',
      classification: 'high',
      candidate: 19.6,
      stable: 0.2,
      unit: '%',
      candidateCount: 51,
      stableCount: 480,
      threshold: '> 1 %',
      conclusive: true,
      weight: 1,
      message: 'm',
    },
    {
      metric: 'latency',
      source: 'proxy',
      rule: 'latency.mann-whitney',
      classification: 'pass',
      threshold: 't',
      conclusive: true,
      weight: 1,
      message: 'm',
    },
  ],
};

describe('the incident timeline', () => {
  it('merges events and verdicts in time order, with the failing rules and their figures', () => {
    const entries = buildTimeline(
      [
        event(0, 'deployment.started', 'deploying quote-api 1.2.0'),
        event(5, 'traffic.shifted', 'candidate at 10 %'),
        event(12, 'analysis.fail', 'canary failed (score 40)'),
        event(12, 'deployment.rolling_back', 'rolling back: canary analysis failed', { by: 'canary judge' }),
        { ...event(13, 'incident.opened', 'incident inc_1 opened'), deploymentId: undefined },
        { ...event(14, 'notification.sent', 'sent to #ops'), deploymentId: undefined },
        { ...event(60, 'incident.noted', 'dana: looking at the pricing model', { by: 'dana', note: 'pricing model' }) },
      ],
      [failing],
    );
    expect(entries.map((e) => [e.category, e.kind])).toEqual([
      ['deployment', 'deployment.started'],
      ['deployment', 'traffic.shifted'],
      ['rollback', 'deployment.rolling_back'],
      ['verdict', 'verdict.fail'],
      ['incident', 'incident.opened'],
      ['notification', 'notification.sent'],
      ['note', 'incident.noted'],
    ]);
    const verdict = entries.find((e) => e.category === 'verdict')!;
    expect(verdict.text).toBe('verdict fail (score 40): error-rate.absolute: candidate 19.6 % of 51 requests > 1 %');
    expect(verdict.figures).toEqual([
      'error-rate.absolute [high]: candidate 19.6 % (51) vs stable 0.2 % (480); threshold > 1 %',
    ]);
    expect(entries.at(-1)).toMatchObject({ text: 'pricing model', by: 'dana' });
    expect(entries[2]!.by).toBe('canary judge');
  });

  it('a resolution added later names who added it once: by the entry, not again in its text', () => {
    const [added] = buildTimeline(
      [
        event(90, 'incident.noted', 'resolution added by admin: rolled back; fixed in 4.0.1', {
          by: 'admin',
          resolution: 'rolled back; fixed in 4.0.1',
        }),
      ],
      [],
    );
    expect(added).toMatchObject({
      category: 'note',
      text: 'resolution added: rolled back; fixed in 4.0.1',
      by: 'admin',
    });
  });
});

describe('figureLine rounds the stored figures', () => {
  it('percentages and milliseconds as the judge writes them; counts and thresholds as they are', () => {
    const m = {
      metric: 'error-rate',
      source: 'proxy',
      rule: 'error-rate.vs-baseline',
      classification: 'high' as const,
      candidate: 33.33333333333333,
      baseline: 0.20242914979757085,
      unit: '%',
      candidateCount: 6,
      threshold: '> 5× baseline',
      conclusive: true,
      weight: 1,
      message: '',
    };
    expect(figureLine(m)).toBe(
      'error-rate.vs-baseline [high]: candidate 33.3 % (6) vs baseline 0.2 %; threshold > 5× baseline',
    );
    const latency = { ...m, rule: 'latency.p95', unit: 'ms', candidate: 0.9866050000127871, baseline: 412.7 };
    expect(figureLine(latency)).toBe(
      'latency.p95 [high]: candidate 0.987 ms (6) vs baseline 413 ms; threshold > 5× baseline',
    );
    expect(formatFigure(12.345678, 'req/s')).toBe('12.35 req/s');
  });
});
