/** Carry out what next-step.ts decided, recording the rollout before and after each move. */
import { isDeepStrictEqual } from 'node:util';
import type { RolloutRecord } from '../../model/rollout.js';
import { messageOf } from '../../shared/errors.js';
import { updateRollout } from '../../store/repos/rollouts.js';
import type { EngineDeps } from '../context.js';
import { projectConfig } from '../deployments.js';
import type { ComponentFacts, RolloutAction } from './next-step.js';
import { rolloutRequester, withPhases } from './next-step.js';
import type { ComponentMoves } from './rollouts.js';

/** The fields every event about a rollout carries. */
function aboutRollout(r: RolloutRecord) {
  return { project: r.project, environment: r.environment };
}

/** Apply one action; true when the rollout may have something more to do right away. */
export async function applyRolloutStep(
  deps: EngineDeps,
  moves: ComponentMoves,
  r: RolloutRecord,
  action: RolloutAction,
  facts?: ReadonlyMap<string, ComponentFacts>,
): Promise<boolean> {
  if (facts) {
    const components = withPhases(r, facts);
    if (!isDeepStrictEqual(components, r.components)) r = await updateRollout(deps.db, r.id, { components });
  }
  const why = `release ${r.version} is rolling back: ${r.reason ?? 'requested'}`;
  switch (action.kind) {
    case 'wait':
      return false;
    case 'start': {
      const level = r.components.find((c) => c.service === action.services[0])?.level ?? 0;
      const levels = Math.max(...r.components.map((c) => c.level)) + 1;
      await deps.events.emit({
        ...aboutRollout(r),
        kind: 'rollout.level',
        message: `release ${r.version}, level ${level + 1}/${levels}: deploying ${action.services.join(', ')}`,
        data: { rollout: r.id, level, services: action.services },
      });
      for (const service of action.services) {
        try {
          await moves.deploy({
            project: r.project,
            service,
            environment: r.environment,
            version: r.version,
            rollout: r.id,
            ...(r.requestedBy ? { requestedBy: r.requestedBy } : {}),
            ...(r.settings.emergency ? { emergency: r.settings.emergency } : {}),
          });
        } catch (e) {
          return rollBack(deps, r, `${service} could not start: ${messageOf(e)}`);
        }
      }
      return true;
    }
    case 'abort':
      // A deployment that ended meanwhile refuses the abort: nothing left to do for it.
      for (const id of action.deployments) await moves.abort(id, why, rolloutRequester(r)).catch(() => undefined);
      return true;
    case 'revert':
      for (const service of action.services) {
        try {
          await moves.rollback({
            project: r.project,
            service,
            environment: r.environment,
            requestedBy: rolloutRequester(r),
            reason: why,
            rollout: r.id,
          });
        } catch (e) {
          await finish(deps, r, 'failed', `could not roll ${service} back: ${messageOf(e)}`);
          return false;
        }
      }
      return true;
    case 'roll_back':
      return rollBack(deps, r, action.reason);
    case 'finish':
      await finish(deps, r, action.state, action.reason);
      return false;
  }
}

async function rollBack(deps: EngineDeps, r: RolloutRecord, reason: string): Promise<boolean> {
  // The state and its event in one transaction, as in finish().
  await deps.events.record(
    undefined,
    (tx) => updateRollout(tx, r.id, { state: 'rolling_back', reason }),
    (updated) => ({
      ...aboutRollout(r),
      kind: 'rollout.rolling_back',
      message: `release ${r.version} in ${r.environment} is rolling back as a whole: ${reason}`,
      data: { rollout: r.id, reason, components: updated.components },
    }),
  );
  return true;
}

async function finish(
  deps: EngineDeps,
  r: RolloutRecord,
  state: 'succeeded' | 'rolled_back' | 'failed',
  reason?: string,
): Promise<void> {
  const environment = (await projectConfig(deps, r.project)).environments.find((e) => e.name === r.environment);
  const watchMs = state === 'succeeded' && r.finishedAt === undefined ? (environment?.watch.forMs ?? 0) : 0;
  // The final state and its event in one transaction (EventLog.record): whoever sees the rollout ended finds its
  // rollout.<state> event stored (written after it, a test that read the events once the state said succeeded
  // missed it).
  await deps.events.record(
    undefined,
    (tx) =>
      updateRollout(tx, r.id, {
        state,
        ...(reason ? { reason } : {}),
        ...(watchMs > 0 ? { watchUntil: new Date(deps.clock.now() + watchMs) } : {}),
        finished: true,
      }),
    (updated) => {
      const kept = updated.components.filter((c) => c.phase === 'succeeded' && !c.from).map((c) => c.service);
      const summary = updated.components.map((c) => `${c.service} ${c.phase.replace('_', ' ')}`).join(', ');
      return {
        ...aboutRollout(r),
        kind: `rollout.${state}`,
        message:
          state === 'succeeded'
            ? `release ${r.version} is live in ${r.environment}: ${summary}`
            : `release ${r.version} ${state === 'failed' ? 'failed' : 'was rolled back'} in ${r.environment}` +
              `${(reason ?? r.reason) ? ` (${reason ?? r.reason})` : ''}: ${summary}` +
              (kept.length > 0
                ? `; ${kept.join(', ')} stay${kept.length === 1 ? 's' : ''} (no earlier release there)`
                : ''),
        data: { rollout: r.id, state, reason: reason ?? r.reason, components: updated.components },
      };
    },
  );
}
