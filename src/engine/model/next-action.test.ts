import { describe, expect, it } from 'vitest';
import { freshProgress, type ControlRequest, type DeploymentRecord } from '../../model/deployment.js';
import type { Plan } from '../../model/plan.js';
import { afterStepFailure, isJudged, nextAction } from './next-action.js';

type Model = Pick<DeploymentRecord, 'state' | 'control' | 'plan' | 'step' | 'progress' | 'reason'>;

const plan: Plan = {
  strategy: 'canary',
  steps: [
    { kind: 'scale', role: 'candidate', instances: 1, judged: true },
    { kind: 'setWeights', stable: 90, candidate: 10, judged: true },
    { kind: 'setWeights', stable: 0, candidate: 100 },
    { kind: 'promote' },
  ],
};
const at = 1_700_000_000_000;
const model = (over: Partial<Model> = {}): Model => ({
  state: 'running',
  control: { kind: 'none' },
  plan,
  step: 1,
  progress: freshProgress,
  ...over,
});
const control = (c: ControlRequest) => model({ control: c });

describe('nextAction', () => {
  // Each row: the deployment as stored → what the executor must do. Requests come first (abort
  // wins), then the end of the plan, then a pause, then the next step.
  const cases: [string, Model, ReturnType<typeof nextAction>][] = [
    ['a running deployment runs its current step', model(), { kind: 'runStep', index: 1, step: plan.steps[1]! }],
    ['a queued one is not the executor’s', model({ state: 'queued' }), { kind: 'idle' }],
    ['a finished one neither', model({ state: 'succeeded' }), { kind: 'idle' }],
    [
      'an abort rolls back, with its reason, outcome and who',
      control({ kind: 'abort', reason: 'bad', by: 'dana', outcome: 'rolled_back', at }),
      { kind: 'rollBack', reason: 'bad', outcome: 'rolled_back', by: 'dana' },
    ],
    [
      'an abort wins even at the end of the plan',
      model({ step: 4, control: { kind: 'abort', reason: 'r', outcome: 'failed', at } }),
      { kind: 'rollBack', reason: 'r', outcome: 'failed' },
    ],
    [
      'a promote replaces the remaining steps',
      control({ kind: 'promote', by: 'tomas', at }),
      { kind: 'promote', by: 'tomas' },
    ],
    ['a resume is acknowledged', control({ kind: 'resume', at }), { kind: 'acknowledgeResume' }],
    ['a pause holds', control({ kind: 'pause', reason: 'p', at }), { kind: 'hold' }],
    [
      'the end of the plan finishes a running deployment as succeeded',
      model({ step: 4 }),
      { kind: 'finish', state: 'succeeded' },
    ],
    [
      'the end of the plan wins over a pause',
      model({ step: 4, control: { kind: 'pause', reason: 'p', at } }),
      { kind: 'finish', state: 'succeeded' },
    ],
    [
      'a rollback ends as its recorded outcome',
      model({ state: 'rolling_back', step: 4, progress: { ...freshProgress, outcome: 'failed' } }),
      { kind: 'finish', state: 'failed' },
    ],
    [
      'a rollback without a recorded outcome ends rolled back',
      model({ state: 'rolling_back', step: 4 }),
      { kind: 'finish', state: 'rolled_back' },
    ],
    [
      'requests are not read while rolling back (the API refuses them then)',
      model({ state: 'rolling_back', control: { kind: 'pause', reason: 'p', at } }),
      { kind: 'runStep', index: 1, step: plan.steps[1]! },
    ],
  ];
  it.each(cases)('%s', (_name, d, expected) => {
    expect(nextAction(d)).toEqual(expected);
  });
});

describe('afterStepFailure', () => {
  it('a candidate that never served fails; one that served is rolled back', () => {
    expect(afterStepFailure(model(), 'unhealthy')).toEqual({
      kind: 'rollBack',
      reason: 'unhealthy',
      outcome: 'failed',
    });
    expect(afterStepFailure(model({ progress: { ...freshProgress, trafficShiftedAt: at } }), 'x')).toEqual({
      kind: 'rollBack',
      reason: 'x',
      outcome: 'rolled_back',
    });
  });
  it('a failing rollback ends the deployment as failed, saying so', () => {
    expect(afterStepFailure(model({ state: 'rolling_back' }), 'proxy down')).toEqual({
      kind: 'fail',
      reason: 'rollback could not complete: proxy down',
    });
    // Why it rolled back stays first: the cause, then what the rollback ran into.
    expect(afterStepFailure(model({ state: 'rolling_back', reason: 'host key changed' }), 'proxy down')).toEqual({
      kind: 'fail',
      reason: 'host key changed; then rollback could not complete: proxy down',
    });
  });
});

describe('isJudged', () => {
  it('follows the mark on the current step, only while running', () => {
    expect(isJudged(model({ step: 0 }))).toBe(true);
    expect(isJudged(model({ step: 2 }))).toBe(false);
    expect(isJudged(model({ step: 4 }))).toBe(false);
    expect(isJudged(model({ step: 0, state: 'rolling_back' }))).toBe(false);
  });
});
