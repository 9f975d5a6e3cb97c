import type { DeploymentRecord, RollbackOutcome } from '../../model/deployment.js';
import type { Step } from '../../model/plan.js';

/** What the executor does next with a deployment. */
export type NextAction =
  /** Not running or rolling back: the loop ends. */
  | { kind: 'idle' }
  /** Switch to the rollback plan (an abort was requested). */
  | { kind: 'rollBack'; reason: string; outcome: RollbackOutcome; by?: string }
  /** Replace the remaining canary steps with the promotion (`slipway promote`). */
  | { kind: 'promote'; by?: string }
  /** A resume was requested: acknowledge it (the request goes back to none), then decide again. */
  | { kind: 'acknowledgeResume' }
  /** Paused: start no step; look again after a while (the canary is still judged meanwhile). */
  | { kind: 'hold' }
  /** The plan is done: record the final state. */
  | { kind: 'finish'; state: 'succeeded' | RollbackOutcome }
  /** Run step `index` of the plan. */
  | { kind: 'runStep'; index: number; step: Step };

/**
 * The engine's one decision, from the deployment as stored: requests first (abort wins, then
 * promote, then resume), then the end of the plan, then a pause, then the next step. Pure, so it
 * is tested as data; the executor only carries the decision out and records it.
 */
export function nextAction(d: Pick<DeploymentRecord, 'state' | 'control' | 'plan' | 'step' | 'progress'>): NextAction {
  if (d.state !== 'running' && d.state !== 'rolling_back') return { kind: 'idle' };
  if (d.state === 'running') {
    const c = d.control;
    if (c.kind === 'abort') return { kind: 'rollBack', reason: c.reason, outcome: c.outcome, ...by(c.by) };
    if (c.kind === 'promote') return { kind: 'promote', ...by(c.by) };
    if (c.kind === 'resume') return { kind: 'acknowledgeResume' };
  }
  if (d.step >= d.plan.steps.length)
    return { kind: 'finish', state: d.state === 'running' ? 'succeeded' : (d.progress.outcome ?? 'rolled_back') };
  if (d.state === 'running' && d.control.kind === 'pause') return { kind: 'hold' };
  return { kind: 'runStep', index: d.step, step: d.plan.steps[d.step]! };
}

/** What a failed step leads to: a running deployment rolls back; a failing rollback ends the deployment as failed. */
export type FailureAction =
  | { kind: 'rollBack'; reason: string; outcome: RollbackOutcome }
  | { kind: 'fail'; reason: string };

/**
 * The decision after step `d.step` threw `message`. A failing rollback keeps why it rolled back first: the reason
 * said only "rollback could not complete: …" and lost the cause (a changed host key) behind what followed from it.
 */
export function afterStepFailure(
  d: Pick<DeploymentRecord, 'state' | 'progress' | 'reason'>,
  message: string,
): FailureAction {
  if (d.state === 'running')
    return {
      kind: 'rollBack',
      reason: message,
      // A candidate that never served failed; one that did is rolled back.
      outcome: d.progress.trafficShiftedAt !== undefined ? 'rolled_back' : 'failed',
    };
  const failed = `rollback could not complete: ${message}`;
  return { kind: 'fail', reason: d.reason ? `${d.reason}; then ${failed}` : failed };
}

/** Is the judge watching the candidate at the deployment's current step? */
export function isJudged(d: Pick<DeploymentRecord, 'state' | 'plan' | 'step'>): boolean {
  return d.state === 'running' && d.plan.steps[d.step]?.judged === true;
}

function by(name: string | undefined): { by?: string } {
  return name === undefined ? {} : { by: name };
}
