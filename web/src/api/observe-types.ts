/** The shapes of errors, alerts, silences, incidents and KPIs the dashboard reads (src/api/routes are the source). */

export interface IssueCount {
  release: string;
  environment: string;
  events: number;
  users: number;
  firstSeen: string;
  lastSeen: string;
  new: boolean;
}
export interface Issue {
  id: string;
  title: string;
  culprit: string | null;
  level: string;
  unhandled: boolean;
  status: 'unresolved' | 'resolved' | 'ignored';
  firstSeen: string;
  lastSeen: string;
  firstRelease: string;
  events: number;
  users: number;
  newInRelease: boolean;
  regressed: boolean;
  regressedAt: string | null;
  regressedRelease: string | null;
  counts: IssueCount[];
}
export interface Frame {
  function: string | null;
  filename: string | null;
  lineno: number | null;
  inApp: boolean | null;
}
export interface LatestEvent {
  eventId: string;
  environment: string;
  release: string;
  receivedAt: string;
  level: string | null;
  message: string | null;
  exceptions: { type: string | null; value: string | null; handled: boolean | null; frames: Frame[] }[];
  tags: Record<string, unknown>;
  sdk: string | null;
}

export interface Alert {
  environment: string;
  fingerprint: string;
  rule: string;
  severity: 'critical' | 'warning';
  state: 'pending' | 'firing';
  groupKey: string;
  labels: Record<string, string>;
  value: number;
  threshold: number;
  /** What value and threshold count; a ratio is 0–1. */
  unit: 'ms' | 'ratio' | 'days' | 'count';
  /** The rule's one line, its threshold filled in. */
  summary: string;
  activeSince: string;
  firedAt: string | null;
  mutedBy: string | null;
}
export interface Silence {
  id: string;
  environment: string;
  matchers: string[];
  comment: string;
  createdBy: string;
  startsAt: string;
  endsAt: string;
  state: 'active' | 'expired';
  expiredBy: string | null;
}

export interface Incident {
  id: string;
  project: string;
  environment: string;
  service: string | null;
  title: string;
  severity: 'sev1' | 'sev2' | 'sev3' | 'sev4';
  state: 'triggered' | 'acknowledged' | 'resolved';
  source: string;
  owner: string | null;
  openedBy: string;
  openedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolution: string | null;
  timeToAcknowledgeMs: number | null;
  timeToResolveMs: number | null;
  /** service and versions: what people read instead of the id (null for alerts, issues, and before they were sent) */
  links: {
    kind: string;
    ref: string;
    service?: string | null;
    version?: string | null;
    fromVersion?: string | null;
  }[];
}
export interface TimelineEntry {
  at: string;
  category: string;
  kind: string;
  text: string;
  by: string | null;
  deploymentId: string | null;
  figures: string[];
}

export interface Check {
  target: string;
  status: 'pass' | 'fail' | 'unknown';
  /** Why, when the figure alone does not say (MTBF without a failure: how much history there is; MTTR
   * with an outage still open). */
  note?: string;
}
interface Durations {
  count: number;
  meanMs: number | null;
  medianMs: number | null;
}
interface Restores extends Durations {
  open: number;
  longestOpenMs: number | null;
}
export interface Kpis {
  deployments: { finished: number; succeeded: number; rolledBack: number; failed: number };
  deploymentFrequency: { perDay: number; succeeded: number };
  leadTime: Durations;
  changeFailureRate: { value: number | null; failedChanges: number };
  /** MTTR's check judges `judgedOn` (the deployments only when the period has no incident); one still open counts. */
  timeToRestore: {
    incidents: Restores;
    deployments: Restores;
    judgedOn: 'incidents' | 'deployments';
    check: Check;
  };
  successRate: { value: number | null; check: Check };
  rollbackFrequency: { value: number | null; rollbacks: number; check: Check };
  /** valueMs is null without failures (at least upMs: check says whether that is enough); upMs is the time observed
   * less outages. */
  mtbf: { valueMs: number | null; failures: number; upMs: number; check: Check };
  availability: {
    uptime: number | null;
    probes: number;
    probeFailures: number;
    errorShare: number | null;
    requests: number;
    check: Check;
  };
  incidents: { opened: number; open: number };
}
