/**
 * Which triggers an event fires. Triggers read the events table only (the bus between
 * capabilities), so alerts and incidents notify without this module importing their code.
 */
import type { triggerNames } from '../config/notifications-schema.js';
import type { EventRecord } from '../store/repos/events.js';

export type TriggerName = (typeof triggerNames)[number];

const byKind: Record<string, TriggerName> = {
  'deployment.started': 'on-deployment-started',
  // The verdict failed (or a step did) and the rollback begins: people hear it now, not when it ends.
  'deployment.rolling_back': 'on-deployment-failed',
  'approval.needed': 'on-approval-needed',
  'alert.firing': 'on-alert-firing',
  'alert.resolved': 'on-alert-resolved',
  'incident.opened': 'on-incident-opened',
  'incident.acknowledged': 'on-incident-acknowledged',
  'incident.resolved': 'on-incident-resolved',
  'freeze.starting': 'on-freeze-starting',
  // A scheduled deployment's notice, `notifyBefore` its time (src/schedule/scheduler.ts).
  'maintenance.notice': 'on-maintenance-notice',
};

const byFinishedState: Record<string, TriggerName> = {
  succeeded: 'on-deployment-succeeded',
  failed: 'on-deployment-failed',
  rolled_back: 'on-deployment-rolled-back',
};

/** The trigger an event fires, if any. */
export function triggerOf(event: Pick<EventRecord, 'kind' | 'data'>): TriggerName | undefined {
  if (event.kind === 'deployment.finished') {
    // A failure found while deploying was announced when the rollback began (deployment.rolling_back): once is
    // enough, and receivers cannot drop the second as a duplicate (another event, another key). A rollback that ends
    // `rolled_back` is news of its own: the stable release serves again.
    if (event.data.state === 'failed' && event.data.afterRollback === true) return undefined;
    return byFinishedState[String(event.data.state)];
  }
  // A cancelled scheduled deployment whose notice went out: those who were told it is coming hear that it is not.
  if (event.kind === 'deployment.schedule.cancelled')
    return event.data.noticed === true ? 'on-maintenance-notice' : undefined;
  // One whose time came while another deployment of its service ran there: the notice's audience hears it is delayed.
  if (event.kind === 'deployment.schedule.waiting')
    return event.data.noticed === true ? 'on-maintenance-notice' : undefined;
  // One that could not start at its time: the notice's audience if it had one, else those who hear of failures.
  if (event.kind === 'deployment.schedule.failed')
    return event.data.noticed === true ? 'on-maintenance-notice' : 'on-deployment-failed';
  return byKind[event.kind];
}

/** The event kinds that can fire a trigger (the dispatcher reads only these). */
export const triggeringKinds = [
  ...Object.keys(byKind),
  'deployment.finished',
  'deployment.schedule.cancelled',
  'deployment.schedule.failed',
  'deployment.schedule.waiting',
];
