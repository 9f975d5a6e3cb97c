/**
 * Delivery figures (DORA's four keys and the seed's reliability targets) as data: what the store
 * yields, and what the calculations return. Durations in milliseconds, shares as fractions.
 */

/** A finished deployment as the figures need it. */
export interface DeploymentFact {
  id: string;
  environment: string;
  service: string;
  kind: 'deploy' | 'rollback';
  state: 'succeeded' | 'rolled_back' | 'failed';
  fromRelease?: string;
  toRelease: string;
  startedAt: number;
  finishedAt: number;
  /**
   * When the candidate first got traffic (progress.trafficShiftedAt); absent: it never served — a deployment that
   * failed or was rolled back before any traffic moved to it left the stable release serving. One that succeeded
   * went live whatever this says.
   */
  trafficShiftedAt?: number;
  /** Its post-deploy watch found a regression (a change failure, rolled back or not). */
  regressed: boolean;
  /** Its watch rolled it back (`onRegression: rollback`); with `alert` a regression is only reported. */
  watchRolledBack?: boolean;
}

/** An incident folded from `incident.opened` / `incident.resolved` events. */
export interface IncidentFact {
  id: string;
  environment?: string;
  service?: string;
  severity?: string;
  title?: string;
  openedAt: number;
  resolvedAt?: number;
  /** Deployment ids linked to the incident: its events' links, and those that joined it later (incident_links). */
  deployments: string[];
}

/** Availability counted over the period. */
export interface AvailabilityFact {
  probes: number;
  probeFailures: number;
  requests: number;
  errors5xx: number;
}

/** A figure against its target; `unknown` when the period holds nothing to measure, or too little to judge. */
export interface TargetCheck {
  target: string;
  status: 'pass' | 'fail' | 'unknown';
  /** Why, when the figure alone does not say: MTBF without a failure ("no failure in 3m00s of history; …"). */
  note?: string;
}

/** The seed's targets. */
export const targets = {
  successRate: 0.995,
  uptime: 0.999,
  mttrMs: 15 * 60_000,
  rollbackRate: 0.02,
  mtbfMs: 30 * 86_400_000,
} as const;

/** Mean and median of a list of durations, and how many. */
export interface DurationSummary {
  count: number;
  meanMs: number | null;
  medianMs: number | null;
}

/** Times to restore (those restored in the period), and the outages still open at its end. */
export interface RestoreSummary extends DurationSummary {
  open: number;
  /** How long the oldest one still open has been open (null: none open). */
  longestOpenMs: number | null;
}

/** Every figure for one scope (an environment, optionally one service) over a period. */
export interface Kpis {
  /** What became of each deployment: ok (succeeded, stayed), rolled back (at any time: change-failures.ts), failed. */
  deployments: { finished: number; succeeded: number; rolledBack: number; failed: number };
  /** Deployments whose rollout succeeded per day (one rolled back afterwards was still shipped). */
  deploymentFrequency: { perDay: number; succeeded: number };
  leadTime: DurationSummary;
  changeFailureRate: { value: number | null; failedChanges: number };
  /**
   * Incident opened → resolved, and a bad release serving → a good one live. MTTR's check judges the incidents, or
   * the deployments when the period has no incident (`judgedOn`; mttr.ts); one still open counts against it.
   */
  timeToRestore: {
    incidents: RestoreSummary;
    deployments: RestoreSummary;
    judgedOn: 'incidents' | 'deployments';
    check: TargetCheck;
  };
  successRate: { value: number | null; check: TargetCheck };
  rollbackFrequency: { value: number | null; rollbacks: number; check: TargetCheck };
  /** Up time / failures (null without failures: then at least the up time, a pass once that reaches the target and
   * unknown before, mtbf.ts); up time is the time observed (from the first deployment, if inside the period) less
   * outages. */
  mtbf: { valueMs: number | null; failures: number; upMs: number; check: TargetCheck };
  availability: {
    uptime: number | null;
    probes: number;
    probeFailures: number;
    /** The proxy's 5xx share over all requests it served. */
    errorShare: number | null;
    requests: number;
    check: TargetCheck;
  };
  incidents: { opened: number; open: number };
}
