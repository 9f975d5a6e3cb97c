import { describe, expect, it } from 'vitest';
import { issuesFor, rawConfig } from '../../test/support/config.js';
import { parseConfig } from './load.js';
import { validateConfigObject } from './validate.js';
import { defaultStrategy } from './strategy.js';

function withStrategy(strategy: unknown) {
  const raw = rawConfig();
  raw.services.api.strategy = strategy;
  return raw;
}

describe('canary strategy config', () => {
  it('defaults: 5 → 25 → 50 → 100 with 20 s analysis between, the issue’s triggers', () => {
    const config = validateConfigObject(withStrategy({ type: 'canary' }), { baseDir: '/srv' });
    const strategy = config.services[0]!.strategy;
    expect(strategy.type).toBe('canary');
    if (strategy.type !== 'canary') return;
    expect(strategy.steps).toEqual([
      { kind: 'setWeight', weight: 5 },
      { kind: 'analyze', forMs: 20_000 },
      { kind: 'setWeight', weight: 25 },
      { kind: 'analyze', forMs: 20_000 },
      { kind: 'setWeight', weight: 50 },
      { kind: 'analyze', forMs: 20_000 },
      { kind: 'setWeight', weight: 100 },
    ]);
    expect(strategy.analysis.triggers).toEqual({
      errorRateVsBaseline: 5,
      p95VsBaseline: 5,
      maxErrorRate: 0.01,
      maxP95Ms: 500,
      unavailableForMs: 120_000,
    });
    expect(strategy.analysis.statistics.confidence).toBeCloseTo(0.999);
    expect(defaultStrategy('canary')).toEqual(strategy);
  });

  it('steps: setWeight, timed and open pauses, analyze; probes and Prometheus', () => {
    const config = validateConfigObject(
      withStrategy({
        type: 'canary',
        steps: [{ setWeight: 10 }, { pause: '30s' }, { analyze: { for: '1m' } }, { pause: {} }, { setWeight: 60 }],
        scale: 2,
        sticky: true,
        analysis: {
          triggers: { maxErrorRate: '2%', maxP95: '800ms' },
          prometheus: {
            address: 'http://127.0.0.1:9090',
            metrics: [{ name: 'errors', query: 'sum(rate(x{release="{release}"}[{window}]))' }],
          },
          probes: [
            {
              name: 'quote',
              method: 'POST',
              path: '/quotes',
              body: { tonnage: 42000 },
              expect: { json: { premium: 102668.99 } },
            },
          ],
        },
      }),
      { baseDir: '/srv' },
    );
    const s = config.services[0]!.strategy;
    if (s.type !== 'canary') throw new Error('not a canary');
    expect(s.steps).toEqual([
      { kind: 'setWeight', weight: 10 },
      { kind: 'pause', forMs: 30_000 },
      { kind: 'analyze', forMs: 60_000 },
      { kind: 'pause' },
      { kind: 'setWeight', weight: 60 },
    ]);
    expect(s.scale).toBe(2);
    expect(s.sticky).toBe(true);
    expect(s.analysis.triggers.maxErrorRate).toBeCloseTo(0.02);
    expect(s.analysis.triggers.maxP95Ms).toBe(800);
    expect(s.analysis.prometheus?.metrics[0]).toMatchObject({ name: 'errors', higherIsWorse: true });
    expect(s.analysis.probes?.[0]).toMatchObject({
      name: 'quote',
      method: 'POST',
      expect: { status: 200, json: { premium: 102668.99 } },
    });
  });

  it('weights that do not increase, above 100, or an unknown step: errors with the key path', () => {
    const issues = issuesFor(
      withStrategy({
        type: 'canary',
        steps: [{ setWeight: 50 }, { setWeight: 20 }, { setWeight: 150 }, { setweight: 60 }],
      }),
    );
    const messages = issues.map((i) => `${i.path}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^services\.api\.strategy\.steps\[1\]\.setWeight: weights must increase: 20 after 50/),
        expect.stringMatching(
          /^services\.api\.strategy\.steps\[2\]\.setWeight: expected a whole percentage of traffic from 1 to 100/,
        ),
        expect.stringMatching(/^services\.api\.strategy\.steps\[3\].*setweight.*setWeight/),
      ]),
    );
  });

  it('points at the line in slipway.yaml', () => {
    const text = [
      'project: harbor',
      'environments:',
      '  staging: { listen: 127.0.0.1:8081 }',
      'services:',
      '  api:',
      '    command: node',
      '    strategy:',
      '      type: canary',
      '      steps:',
      '        - setWeight: 30',
      '        - setWeight: 10',
      '',
    ].join('\n');
    expect(() => parseConfig(text, { file: 'slipway.yaml', baseDir: '/srv' })).toThrow(
      /services\.api\.strategy\.steps\[1\]\.setWeight: weights must increase: 10 after 30 \(slipway\.yaml:11\)/,
    );
  });
});
