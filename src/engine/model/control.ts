import type { ControlKind, ControlRequest, DeploymentRecord } from '../../model/deployment.js';

/** What people (and the judge) can ask of a running deployment. */
export type ControlVerb = Exclude<ControlKind, 'none'>;

/**
 * Which waiting request a new one may replace. An abort wins over anything; a promotion ends a
 * pause; a pause waits behind a promotion (it would be dropped by it) and a resume only ends a pause.
 */
export const replaceable: Record<ControlVerb, readonly ControlKind[]> = {
  abort: ['none', 'promote', 'pause', 'resume'],
  promote: ['none', 'pause', 'resume'],
  pause: ['none', 'resume'],
  resume: ['pause'],
};

/** How a request meets the deployment as it is: make it, it is already made, or refuse it (with why). */
export type ControlDecision = { kind: 'set' } | { kind: 'unchanged' } | { kind: 'refuse'; why: string };

/** Decide a request against the deployment's state and its waiting request. Pure. */
export function decideControl(
  verb: ControlVerb,
  d: Pick<DeploymentRecord, 'id' | 'state' | 'control' | 'step' | 'plan'>,
): ControlDecision {
  if (d.state !== 'running')
    return { kind: 'refuse', why: `cannot ${verb} deployment ${d.id}: it is ${words(d.state)}` };
  const waiting = d.control.kind;
  if (waiting === verb && verb !== 'resume') return { kind: 'unchanged' };
  if (replaceable[verb].includes(waiting)) return { kind: 'set' };
  if (verb === 'resume')
    return { kind: 'refuse', why: `deployment ${d.id} is not paused (step ${d.step + 1}/${d.plan.steps.length})` };
  return { kind: 'refuse', why: `cannot ${verb} deployment ${d.id}: ${pending(d.control)}` };
}

/** The waiting request in words, for refusals. */
function pending(c: ControlRequest): string {
  switch (c.kind) {
    case 'abort':
      return `it is being aborted (${c.reason.split('\n')[0]})`;
    case 'promote':
      return `a promotion${c.by ? ` by ${c.by}` : ''} is about to run`;
    default:
      return `a ${c.kind} request is waiting`;
  }
}

function words(state: string): string {
  return state.replace('_', ' ');
}
