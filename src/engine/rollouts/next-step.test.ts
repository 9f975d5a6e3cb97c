import { describe, expect, it } from 'vitest';
import type { DeploymentState } from '../../model/deployment.js';
import type { RolloutComponent, RolloutState } from '../../model/rollout.js';
import { componentPhase, nextRolloutStep, type ComponentFacts, type DeploymentFacts } from './next-step.js';

/** db (level 0) → api, quote (level 1) → web (level 2), each moving from an earlier release. */
const components: RolloutComponent[] = [
  { service: 'db', level: 0, release: 'r-db', from: 'p-db', phase: 'pending' },
  { service: 'api', level: 1, release: 'r-api', from: 'p-api', phase: 'pending' },
  { service: 'quote', level: 1, release: 'r-quote', from: 'p-quote', phase: 'pending' },
  { service: 'web', level: 2, release: 'r-web', from: 'p-web', phase: 'pending' },
];

const dep = (id: string, state: DeploymentState, extra: Partial<DeploymentFacts> = {}): DeploymentFacts => ({
  id,
  kind: 'deploy',
  state,
  aborting: false,
  ...extra,
});
const back = (id: string, state: DeploymentState, extra: Partial<DeploymentFacts> = {}) =>
  dep(id, state, { kind: 'rollback', ...extra });

function step(state: RolloutState, facts: Record<string, ComponentFacts>, list = components) {
  return nextRolloutStep({ state, components: list }, new Map(Object.entries(facts)));
}

describe('rollout next step', () => {
  it('starts the lowest level, then each next one once every component below succeeded', () => {
    expect(step('running', {})).toEqual({ kind: 'start', services: ['db'] });
    expect(step('running', { db: { deployment: dep('d1', 'running') } })).toEqual({ kind: 'wait' });
    expect(step('running', { db: { deployment: dep('d1', 'succeeded') } })).toEqual({
      kind: 'start',
      services: ['api', 'quote'],
    });
    const level1 = {
      db: { deployment: dep('d1', 'succeeded') },
      api: { deployment: dep('d2', 'succeeded') },
      quote: { deployment: dep('d3', 'running') },
    };
    expect(step('running', level1)).toEqual({ kind: 'wait' });
    const all = {
      ...level1,
      quote: { deployment: dep('d3', 'succeeded') },
      web: { deployment: dep('d4', 'succeeded') },
    };
    expect(step('running', { ...all, web: {} })).toEqual({ kind: 'start', services: ['web'] });
    expect(step('running', all)).toEqual({ kind: 'finish', state: 'succeeded' });
  });

  it('skips components whose release was already stable', () => {
    const list = components.map((c) => (c.service === 'db' ? { ...c, phase: 'unchanged' as const } : c));
    expect(step('running', {}, list)).toEqual({ kind: 'start', services: ['api', 'quote'] });
  });

  it('a failed component rolls the release back: siblings aborted first, then levels below in reverse order', () => {
    const failed = {
      db: { deployment: dep('d1', 'succeeded') },
      api: { deployment: dep('d2', 'rolled_back', { reason: 'canary judge: error rate 12%' }) },
      quote: { deployment: dep('d3', 'running') },
    };
    expect(step('running', failed)).toEqual({ kind: 'roll_back', reason: 'api failed: canary judge: error rate 12%' });
    expect(step('rolling_back', failed)).toEqual({ kind: 'abort', deployments: ['d3'] });
    const aborting = { ...failed, quote: { deployment: dep('d3', 'running', { aborting: true }) } };
    expect(step('rolling_back', aborting)).toEqual({ kind: 'wait' });
    const settled = { ...failed, quote: { deployment: dep('d3', 'rolled_back') } };
    expect(step('rolling_back', settled)).toEqual({ kind: 'revert', services: ['db'] });
    const reverting = { ...settled, db: { deployment: dep('d1', 'succeeded'), rollback: back('b1', 'running') } };
    expect(step('rolling_back', reverting)).toEqual({ kind: 'wait' });
    const reverted = { ...settled, db: { deployment: dep('d1', 'succeeded'), rollback: back('b1', 'succeeded') } };
    expect(step('rolling_back', reverted)).toEqual({ kind: 'finish', state: 'rolled_back' });
  });

  it('a sibling the rollout aborted while deploying is reverted, not failed; the one that failed stays failed', () => {
    const settled = {
      db: { deployment: dep('d1', 'succeeded') },
      api: { deployment: dep('d2', 'rolled_back', { reason: 'canary judge: error rate 12%' }) },
      quote: {
        deployment: dep('d3', 'rolled_back', { reason: 'release 2.0.0 is rolling back', abortedByRollout: true }),
      },
    };
    const phases = (f: Record<string, ComponentFacts>) =>
      Object.fromEntries(components.map((c) => [c.service, componentPhase(c, f[c.service] ?? {}, 'rolling_back')]));
    expect(phases(settled)).toEqual({ db: 'succeeded', api: 'failed', quote: 'reverted', web: 'cancelled' });
    // Aborted by somebody else (slipway abort): its own trouble, so failed.
    const byHand = { ...settled, quote: { deployment: dep('d3', 'rolled_back', { reason: 'aborted by dana' }) } };
    expect(phases(byHand).quote).toBe('failed');
  });

  it('reverts the highest level first and waits for it before the next lower one', () => {
    const live = {
      db: { deployment: dep('d1', 'succeeded') },
      api: { deployment: dep('d2', 'succeeded') },
      quote: { deployment: dep('d3', 'succeeded') },
      web: { deployment: dep('d4', 'failed', { reason: 'bundle budget: main.js +14%' }) },
    };
    expect(step('running', live)).toMatchObject({ kind: 'roll_back', reason: /^web failed: bundle budget/ });
    expect(step('rolling_back', live)).toEqual({ kind: 'revert', services: ['api', 'quote'] });
    const one = { ...live, api: { ...live.api, rollback: back('b2', 'running') } };
    // quote is still on the new release at the same level: revert it too, without waiting for api.
    expect(step('rolling_back', one)).toEqual({ kind: 'revert', services: ['quote'] });
    const both = { ...one, quote: { ...live.quote, rollback: back('b3', 'succeeded') } };
    expect(step('rolling_back', both)).toEqual({ kind: 'wait' }); // api still reverting: db waits
    const done = { ...both, api: { ...live.api, rollback: back('b2', 'succeeded') } };
    expect(step('rolling_back', done)).toEqual({ kind: 'revert', services: ['db'] });
  });

  it('the release fails (not rolled back) when only the component that failed had moved, and it undid itself', () => {
    expect(step('rolling_back', { db: { deployment: dep('d1', 'failed') } })).toEqual({
      kind: 'finish',
      state: 'failed',
    });
  });

  it('a component on its first release stays: there is nothing earlier to go back to', () => {
    const first = components.map((c) => (c.service === 'db' ? { ...c, from: undefined } : c));
    const failed = { db: { deployment: dep('d1', 'succeeded') }, api: { deployment: dep('d2', 'failed') } };
    expect(step('rolling_back', failed, first)).toEqual({ kind: 'finish', state: 'failed' });
  });

  it('a rollback somebody else made of a live component rolls the rest back, during the rollout or its watch', () => {
    const watched = {
      db: { deployment: dep('d1', 'succeeded') },
      api: {
        deployment: dep('d2', 'succeeded'),
        outside: back('x1', 'running', { requestedBy: 'post-deploy watch', reason: 'error-rate 9% vs 0.2%' }),
      },
      quote: { deployment: dep('d3', 'succeeded') },
      web: { deployment: dep('d4', 'succeeded') },
    };
    expect(step('succeeded', watched)).toEqual({
      kind: 'roll_back',
      reason: 'api was rolled back by post-deploy watch: error-rate 9% vs 0.2%',
    });
    expect(step('rolling_back', watched)).toEqual({ kind: 'revert', services: ['web'] });
  });

  it('another release of a component deployed after it succeeded supersedes it: no group rollback', () => {
    const facts = { deployment: dep('d2', 'succeeded'), outside: dep('x2', 'succeeded') };
    expect(componentPhase({ phase: 'pending' }, facts, 'succeeded')).toBe('superseded');
    const all = {
      db: { deployment: dep('d1', 'succeeded') },
      api: facts,
      quote: { deployment: dep('d3', 'succeeded') },
      web: { deployment: dep('d4', 'succeeded') },
    };
    expect(step('succeeded', all)).toEqual({ kind: 'wait' });
  });

  it('a rollback that fails ends the release failed, naming the component', () => {
    const facts = {
      db: { deployment: dep('d1', 'succeeded'), rollback: back('b1', 'failed', { reason: 'instances unhealthy' }) },
      api: { deployment: dep('d2', 'failed') },
    };
    expect(step('rolling_back', facts)).toMatchObject({
      kind: 'finish',
      state: 'failed',
      reason: /^could not roll back db \(instances unhealthy\)/,
    });
  });

  it('components never started are cancelled once the release goes back', () => {
    expect(componentPhase({ phase: 'pending' }, {}, 'rolling_back')).toBe('cancelled');
    expect(componentPhase({ phase: 'pending' }, {}, 'running')).toBe('pending');
  });
});
