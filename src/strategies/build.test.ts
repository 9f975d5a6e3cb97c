import { describe, expect, it } from 'vitest';
import type { CanaryStrategy } from '../config/model.js';
import { defaultStrategy } from '../config/strategy.js';
import { buildPlan, promotedPlan, returnPlan } from './build.js';

const canary = defaultStrategy('canary') as CanaryStrategy;
const request = {
  strategy: canary,
  instances: 2,
  hasStable: true,
  migrations: false,
  gates: { before: false, after: false },
};

describe('buildPlan', () => {
  it('gates first, then migrations, the strategy, smoke before promotion, contract last', () => {
    const kinds = buildPlan({ ...request, migrations: true, gates: { before: true, after: true } }).steps.map(
      (s) => s.kind,
    );
    expect(kinds.slice(0, 2)).toEqual(['gates', 'migrate']);
    expect(kinds.slice(-3)).toEqual(['smoke', 'promote', 'contract']);
  });
  it('the added steps are never judged; the canary steps keep their marks', () => {
    const plain = buildPlan(request);
    const full = buildPlan({ ...request, migrations: true, gates: { before: true, after: true } });
    for (const kind of ['gates', 'migrate', 'smoke', 'contract'])
      expect(full.steps.find((s) => s.kind === kind)?.judged).toBeUndefined();
    expect(full.steps.filter((s) => s.judged)).toEqual(plain.steps.filter((s) => s.judged));
  });
});

describe('promotedPlan', () => {
  const plan = buildPlan({ ...request, migrations: true, gates: { before: false, after: true } });
  it('keeps the steps done, then the promotion (not judged), smoke before promote, contract last', () => {
    const promoted = promotedPlan(plan, 3, 2);
    expect(promoted.steps.slice(0, 3)).toEqual(plan.steps.slice(0, 3));
    expect(promoted.steps.slice(3).map((s) => s.kind)).toEqual([
      'scale',
      'waitHealthy',
      'setWeights',
      'drain',
      'stop',
      'smoke',
      'promote',
      'contract',
    ]);
    expect(promoted.steps.slice(3).some((s) => s.judged)).toBe(false);
  });
  it('is idempotent: promoting a promoted plan at the same step changes nothing', () => {
    const once = promotedPlan(plan, 3, 2);
    expect(promotedPlan(once, 3, 2)).toEqual(once);
  });
});

describe('returnPlan', () => {
  it('brings the previous release back by a blue-green switch without keeping the other warm', () => {
    const p = returnPlan(2);
    expect(p.strategy).toBe('rollback');
    expect(p.steps.map((s) => s.kind)).toContain('promote');
    expect(p.steps.some((s) => s.kind === 'keepWarm' && s.forMs > 0)).toBe(false);
  });
});
