/**
 * Incidents in PagerDuty's words: triggered → acknowledged → resolved, with a severity (sev1 worst, sev4
 * least), an owner, and links to the deployments, releases, alerts and error issues involved.
 */

export const severities = ['sev1', 'sev2', 'sev3', 'sev4'] as const;
export type Severity = (typeof severities)[number];

export const incidentStates = ['triggered', 'acknowledged', 'resolved'] as const;
export type IncidentState = (typeof incidentStates)[number];

/** What opened the incident. */
export type IncidentSource = 'rollback' | 'watch' | 'deployment' | 'alert' | 'manual';

/**
 * Why an incident was opened, to follow "opened … by <who>": "after an automatic rollback". Empty for one opened by
 * hand, whose opener says it all. Words, not `(rollback)`: the follower's name has brackets of its own.
 */
export function openedBecause(source: IncidentSource): string {
  switch (source) {
    case 'rollback':
      return 'after an automatic rollback';
    case 'watch':
      return 'after the post-deploy watch saw a regression';
    case 'deployment':
      return 'after a failed deployment';
    case 'alert':
      return 'for a critical alert';
    case 'manual':
      return '';
  }
}

export type LinkKind = 'deployment' | 'release' | 'alert' | 'issue';

export interface IncidentLink {
  kind: LinkKind;
  /** A deployment, release or error issue id; an alert's rule name. */
  ref: string;
}

/**
 * What people read for a link instead of its id: the service and version of a release; for a deployment, the
 * service and the versions it moved from and to.
 */
export interface IncidentLinkDetail {
  service: string;
  version: string;
  /** A deployment's stable release; absent for a service's first release. */
  fromVersion?: string;
}

export interface Incident {
  id: string;
  project: string;
  environment: string;
  service?: string;
  title: string;
  severity: Severity;
  state: IncidentState;
  source: IncidentSource;
  /** The event that opened it (automatic incidents). */
  sourceEvent?: number;
  alertGroup?: string;
  owner?: string;
  openedBy: string;
  openedAt: Date;
  acknowledgedAt?: Date;
  acknowledgedBy?: string;
  resolvedAt?: Date;
  resolvedBy?: string;
  resolution?: string;
  links: IncidentLink[];
}

/**
 * The default severity of each automatic source. A canary rolled back by the judge hurt only its
 * share of traffic and is already undone (sev3); a release that regressed after its rollout served
 * everyone (sev2); a critical alert is an ongoing problem nobody has undone yet (sev2); a failed
 * deployment whose candidate never served is a broken pipeline, not an outage (sev4).
 */
export function defaultSeverity(source: IncidentSource, rollbackOutcome?: 'rolled_back' | 'failed'): Severity {
  switch (source) {
    case 'rollback':
      return rollbackOutcome === 'failed' ? 'sev4' : 'sev3';
    case 'watch':
    case 'alert':
      return 'sev2';
    case 'deployment':
      return 'sev4';
    case 'manual':
      return 'sev3';
  }
}

/** Is `value` a severity name? */
export function isSeverity(value: string): value is Severity {
  return (severities as readonly string[]).includes(value);
}

/** Time to acknowledge and time to resolve (ms), when those happened. */
export function incidentDurations(i: Pick<Incident, 'openedAt' | 'acknowledgedAt' | 'resolvedAt'>): {
  timeToAcknowledgeMs?: number;
  timeToResolveMs?: number;
} {
  return {
    ...(i.acknowledgedAt ? { timeToAcknowledgeMs: i.acknowledgedAt.getTime() - i.openedAt.getTime() } : {}),
    ...(i.resolvedAt ? { timeToResolveMs: i.resolvedAt.getTime() - i.openedAt.getTime() } : {}),
  };
}
