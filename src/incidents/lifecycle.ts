import type { Incident } from '../model/incident.js';

/** A change a person asks of an incident. */
export type IncidentRequest =
  | { kind: 'acknowledge'; by: string; at: Date; owner?: string }
  | { kind: 'resolve'; by: string; at: Date; resolution?: string };

/** The fields a request changes, or why it is refused (a conflict: the incident is not in a state that allows it). */
export type TransitionResult = { ok: true; changes: Partial<Incident> } | { ok: false; reason: string };

function when(d: Date | undefined): string {
  return d ? d.toISOString() : 'an unknown time';
}

/**
 * The lifecycle `triggered → acknowledged → resolved` as one pure decision. Resolving straight from
 * triggered is allowed (someone fixed it without acknowledging first); nothing leaves resolved, and
 * acknowledging twice is refused so two people do not each believe they own it. An incident resolved
 * without a resolution may be resolved again with one: only the resolution is added (who resolved it and
 * when stay), since otherwise what fixed it could never be recorded; one it has already is not replaced.
 */
export function transition(
  incident: Pick<
    Incident,
    'id' | 'state' | 'owner' | 'acknowledgedBy' | 'acknowledgedAt' | 'resolvedBy' | 'resolvedAt' | 'resolution'
  >,
  request: IncidentRequest,
): TransitionResult {
  if (incident.state === 'resolved' && request.kind === 'resolve' && request.resolution && !incident.resolution)
    return { ok: true, changes: { resolution: request.resolution } };
  if (incident.state === 'resolved')
    return {
      ok: false,
      reason:
        `incident ${incident.id} is already resolved (by ${incident.resolvedBy ?? 'unknown'} at ` +
        `${when(incident.resolvedAt)}); open a new one if the problem is back` +
        // Said while it can still be done: the postmortem wants what fixed it.
        (incident.resolution
          ? ''
          : `. It has no resolution yet: add what fixed it with ` +
            `slipway incident resolve ${incident.id} --resolution "…"`),
    };
  if (request.kind === 'acknowledge') {
    if (incident.state === 'acknowledged')
      return {
        ok: false,
        reason:
          `incident ${incident.id} is already acknowledged (by ${incident.acknowledgedBy ?? 'unknown'} at ` +
          `${when(incident.acknowledgedAt)}; owner ${incident.owner ?? 'none'})`,
      };
    return {
      ok: true,
      changes: {
        state: 'acknowledged',
        acknowledgedAt: request.at,
        acknowledgedBy: request.by,
        owner: request.owner ?? incident.owner ?? request.by,
      },
    };
  }
  return {
    ok: true,
    changes: {
      state: 'resolved',
      resolvedAt: request.at,
      resolvedBy: request.by,
      ...(request.resolution ? { resolution: request.resolution } : {}),
      owner: incident.owner ?? request.by,
    },
  };
}
