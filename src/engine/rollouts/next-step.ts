/**
 * What a rollout does next, as a pure function of what its component deployments did. The
 * deployments are the truth: a phase is derived from them each time (never trusted from the
 * stored record), so a coordinator restarted at any moment decides the same thing again.
 */
import type { DeploymentState } from '../../model/deployment.js';
import type { ComponentPhase, RolloutComponent, RolloutRecord, RolloutState } from '../../model/rollout.js';

/** What the runner knows about one deployment touching a component. */
export interface DeploymentFacts {
  id: string;
  kind: 'deploy' | 'rollback';
  state: DeploymentState;
  /** The first line of why it ended (or is rolling back). */
  reason?: string;
  requestedBy?: string;
  /** An abort is already requested (the runner must not ask twice). */
  aborting: boolean;
  /** The rollout itself aborted it while it was deploying (the release went back as a whole). */
  abortedByRollout?: boolean;
}

/** Who a rollout's own requests are recorded as: "release 2.4.0". */
export function rolloutRequester(r: Pick<RolloutRecord, 'version'>): string {
  return `release ${r.version}`;
}

/** A component's deployments: the rollout's own, and the first one somebody else started after it succeeded. */
export interface ComponentFacts {
  deployment?: DeploymentFacts;
  rollback?: DeploymentFacts;
  /** The first deployment of the service not made by the rollout, started after its own succeeded. */
  outside?: DeploymentFacts;
}

export type RolloutAction =
  | { kind: 'start'; services: string[] }
  | { kind: 'abort'; deployments: string[] }
  | { kind: 'revert'; services: string[] }
  | { kind: 'roll_back'; reason: string }
  | { kind: 'finish'; state: Exclude<RolloutState, 'running' | 'rolling_back'>; reason?: string }
  | { kind: 'wait' };

const ended: DeploymentState[] = ['succeeded', 'rolled_back', 'failed', 'cancelled'];
const done: ComponentPhase[] = ['succeeded', 'unchanged', 'superseded'];

/** A component's phase from its deployments (and, before any started, from the rollout's state). */
export function componentPhase(
  component: Pick<RolloutComponent, 'phase'>,
  facts: ComponentFacts,
  rollout: RolloutState,
): ComponentPhase {
  if (component.phase === 'unchanged') return 'unchanged';
  const d = facts.deployment;
  if (!d) return rollout === 'running' ? 'pending' : 'cancelled';
  if (!ended.includes(d.state)) return 'deploying';
  // Stopped by the rollout going back, not by its own trouble: it is back on its previous release.
  if (d.state === 'rolled_back' && d.abortedByRollout) return 'reverted';
  if (d.state !== 'succeeded') return 'failed';
  const back = facts.rollback ?? (facts.outside?.kind === 'rollback' ? facts.outside : undefined);
  if (back) {
    if (!ended.includes(back.state)) return 'reverting';
    return back.state === 'succeeded' ? 'reverted' : 'revert_failed';
  }
  return facts.outside ? 'superseded' : 'succeeded';
}

/** The components with their phases (and the ids and reasons behind them) brought up to date. */
export function withPhases(
  rollout: Pick<RolloutRecord, 'state' | 'components'>,
  facts: ReadonlyMap<string, ComponentFacts>,
): RolloutComponent[] {
  return rollout.components.map((c) => {
    const f = facts.get(c.service) ?? {};
    const phase = componentPhase(c, f, rollout.state);
    const back = f.rollback ?? (f.outside?.kind === 'rollback' ? f.outside : undefined);
    const reason =
      phase === 'failed'
        ? f.deployment?.reason
        : phase === 'reverting' || phase === 'reverted' || phase === 'revert_failed'
          ? (back?.reason ?? f.deployment?.reason)
          : phase === 'superseded'
            ? `${f.outside?.id} deployed another release` +
              (f.outside?.requestedBy ? `, requested by ${f.outside.requestedBy}` : '')
            : undefined;
    const { reason: _old, ...rest } = c;
    return {
      ...rest,
      phase,
      ...(f.deployment ? { deployment: f.deployment.id } : {}),
      ...(back ? { rollback: back.id } : {}),
      ...(reason ? { reason } : {}),
    };
  });
}

/** Why the release as a whole must go back, or undefined while every component is fine. */
function trouble(components: readonly RolloutComponent[], facts: ReadonlyMap<string, ComponentFacts>) {
  for (const c of components) {
    if (c.phase === 'failed') return `${c.service} failed: ${c.reason ?? 'its deployment did not succeed'}`;
    const outside = facts.get(c.service)?.outside;
    if (outside?.kind === 'rollback' && c.rollback === outside.id)
      return (
        `${c.service} was rolled back${outside.requestedBy ? ` by ${outside.requestedBy}` : ''}` +
        `${outside.reason ? `: ${outside.reason}` : ''}`
      );
  }
  return undefined;
}

/**
 * The next thing to do. Forwards: the lowest level not yet done starts once every level below it
 * succeeded. Back (after a failure or an outside rollback): components still deploying are aborted
 * first; then the highest level still on the new release is reverted, and each lower level only
 * once every higher one is back.
 */
export function nextRolloutStep(
  rollout: Pick<RolloutRecord, 'state' | 'components'>,
  facts: ReadonlyMap<string, ComponentFacts>,
): RolloutAction {
  const components = withPhases(rollout, facts);
  const problem = trouble(components, facts);
  if (rollout.state === 'running' || rollout.state === 'succeeded') {
    if (problem) return { kind: 'roll_back', reason: problem };
    if (rollout.state === 'succeeded') return { kind: 'wait' };
    const levels = [...new Set(components.map((c) => c.level))].sort((a, b) => a - b);
    for (const level of levels) {
      const here = components.filter((c) => c.level === level);
      if (here.every((c) => done.includes(c.phase))) continue;
      const pending = here.filter((c) => c.phase === 'pending').map((c) => c.service);
      return pending.length > 0 ? { kind: 'start', services: pending } : { kind: 'wait' };
    }
    return { kind: 'finish', state: 'succeeded' };
  }
  if (rollout.state !== 'rolling_back') return { kind: 'wait' };

  const deploying = components.filter((c) => c.phase === 'deploying');
  if (deploying.length > 0) {
    const toAbort = deploying
      .map((c) => facts.get(c.service)?.deployment)
      .filter((d) => d && d.state === 'running' && !d.aborting)
      .map((d) => d!.id);
    return toAbort.length > 0 ? { kind: 'abort', deployments: toAbort } : { kind: 'wait' };
  }
  // A component on its first release here has nothing earlier to go back to: it stays.
  const onNew = components.filter((c) => c.phase === 'succeeded' && c.from);
  if (onNew.length > 0) {
    const top = Math.max(...onNew.map((c) => c.level));
    if (components.some((c) => c.phase === 'reverting' && c.level > top)) return { kind: 'wait' };
    return { kind: 'revert', services: onNew.filter((c) => c.level === top).map((c) => c.service) };
  }
  if (components.some((c) => c.phase === 'reverting')) return { kind: 'wait' };
  const stuck = components.filter((c) => c.phase === 'revert_failed');
  if (stuck.length > 0)
    return {
      kind: 'finish',
      state: 'failed',
      reason:
        `could not roll back ${stuck.map((c) => `${c.service} (${c.reason ?? 'its rollback failed'})`).join(', ')}; ` +
        'the other components are back on their previous releases',
    };
  // Nothing had moved but the component that failed (and undid itself): the release failed rather than rolled back.
  const moved = components.some((c) => c.phase === 'reverted');
  return { kind: 'finish', state: moved ? 'rolled_back' : 'failed' };
}
