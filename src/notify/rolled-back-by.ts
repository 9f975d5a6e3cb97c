/**
 * Who rolled a deployment back, for its failed and rolled-back messages: the person who asked (`slipway rollback`,
 * `slipway abort`), the canary judge, or Slipway itself after a failed step. The person who started the deployment
 * did none of these, yet the messages named them (`by admin` after `by canary judge`).
 */
import type { Queryable } from '../store/db.js';
import { type EventRecord, lastDeploymentEvent } from '../store/repos/events.js';

/** The actor when no one asked: a step failed (health, a gate) and the engine rolled back by itself. */
export const failedStepActor = 'slipway (failed step)';

/** The actor a `deployment.rolling_back` event names (the engine writes `by` when someone asked). */
export function rollbackActor(rollingBack: Pick<EventRecord, 'data'>): string {
  const by = rollingBack.data.by;
  return typeof by === 'string' && by !== '' ? by : failedStepActor;
}

/**
 * Who rolled back the deployment `event` is about, when the event is its rollback or the end of one (a
 * `deployment.finished` rolled back, or failed after rolling back); undefined for other events.
 */
export async function rolledBackBy(db: Queryable, event: EventRecord): Promise<string | undefined> {
  if (event.kind === 'deployment.rolling_back') return rollbackActor(event);
  const state = event.data.state;
  if (event.kind !== 'deployment.finished' || (state !== 'rolled_back' && state !== 'failed')) return undefined;
  if (!event.deploymentId) return undefined;
  const rollingBack = await lastDeploymentEvent(db, {
    deploymentId: event.deploymentId,
    kind: 'deployment.rolling_back',
    before: event.id,
  });
  return rollingBack ? rollbackActor(rollingBack) : undefined;
}
