import { describe, expect, it } from 'vitest';
import type { ControlRequest, DeploymentRecord, DeploymentState } from '../../model/deployment.js';
import { decideControl, type ControlVerb } from './control.js';

const at = 1_700_000_000_000;
const d = (control: ControlRequest, state: DeploymentState = 'running') =>
  ({
    id: 'dep_1',
    state,
    control,
    step: 2,
    plan: { strategy: 'canary', steps: [{ kind: 'promote' }, { kind: 'promote' }, { kind: 'promote' }] },
  }) satisfies Pick<DeploymentRecord, 'id' | 'state' | 'control' | 'step' | 'plan'>;

const none: ControlRequest = { kind: 'none' };
const abort: ControlRequest = { kind: 'abort', reason: 'judge failed it', outcome: 'rolled_back', at };
const promote: ControlRequest = { kind: 'promote', by: 'tomas', at };
const pause: ControlRequest = { kind: 'pause', reason: 'paused by dana', at };
const resume: ControlRequest = { kind: 'resume', at };

describe('decideControl', () => {
  // Every request against every waiting request: set it, leave it, or refuse it.
  const table: [ControlVerb, ControlRequest, 'set' | 'unchanged' | RegExp][] = [
    ['abort', none, 'set'],
    ['abort', promote, 'set'],
    ['abort', pause, 'set'],
    ['abort', resume, 'set'],
    ['abort', abort, 'unchanged'],
    ['promote', none, 'set'],
    ['promote', pause, 'set'],
    ['promote', resume, 'set'],
    ['promote', promote, 'unchanged'],
    ['promote', abort, /cannot promote deployment dep_1: it is being aborted \(judge failed it\)/],
    ['pause', none, 'set'],
    ['pause', resume, 'set'],
    ['pause', pause, 'unchanged'],
    ['pause', promote, /cannot pause deployment dep_1: a promotion by tomas is about to run/],
    ['pause', abort, /being aborted/],
    ['resume', pause, 'set'],
    ['resume', none, /deployment dep_1 is not paused \(step 3\/3\)/],
    ['resume', resume, /not paused/],
    ['resume', promote, /not paused/],
    ['resume', abort, /not paused/],
  ];
  it.each(table)('%s while %o is waiting', (verb, waiting, expected) => {
    const decision = decideControl(verb, d(waiting));
    if (expected instanceof RegExp) {
      expect(decision.kind).toBe('refuse');
      expect(decision.kind === 'refuse' && decision.why).toMatch(expected);
    } else expect(decision).toEqual({ kind: expected });
  });

  it('nothing is asked of a deployment that is not running', () => {
    for (const state of ['queued', 'rolling_back', 'succeeded', 'failed'] as const)
      for (const verb of ['abort', 'promote', 'pause', 'resume'] as const)
        expect(decideControl(verb, d(none, state))).toEqual({
          kind: 'refuse',
          why: `cannot ${verb} deployment dep_1: it is ${state.replace('_', ' ')}`,
        });
  });
});
