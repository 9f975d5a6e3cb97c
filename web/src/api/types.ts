/** The API's shapes the dashboard reads (src/api/schemas.ts is the source; these are the fields used). */

export type Role = 'viewer' | 'deployer' | 'approver' | 'admin';
export interface Grant {
  role: Role;
  environments: string[] | '*';
}
export interface Session {
  user: string;
  kind: 'local' | 'oidc';
  grants: Grant[];
  mfa: boolean;
  csrfToken: string;
  expiresAt: string;
}

export interface Step {
  kind: string;
  description: string;
  status: 'done' | 'running' | 'pending';
  step: Record<string, unknown>;
}
export interface MetricResult {
  metric: string;
  source: string;
  rule: string;
  classification: 'pass' | 'high' | 'low' | 'nodata' | 'error';
  candidate?: number;
  stable?: number;
  baseline?: number;
  unit?: string;
  candidateCount?: number;
  stableCount?: number;
  statistic?: { name: string; value: number; pValue?: number };
  threshold: string;
  conclusive: boolean;
  weight: number;
  message: string;
}
export interface Verdict {
  id: number;
  step: number;
  at: string;
  outcome: 'pass' | 'fail' | 'running' | 'inconclusive';
  score: number;
  final: boolean;
  reason: string;
  metrics: MetricResult[];
}
export type DeploymentState =
  | 'queued'
  | 'running'
  | 'rolling_back'
  | 'succeeded'
  | 'rolled_back'
  | 'failed'
  | 'cancelled';
export interface Deployment {
  id: string;
  project: string;
  service: string;
  environment: string;
  kind: 'deploy' | 'rollback';
  state: DeploymentState;
  strategy: string;
  from: { id: string; version: string } | null;
  to: { id: string; version: string };
  step: number;
  steps: Step[];
  trafficShifted: boolean;
  paused: { reason: string; by?: string; at: string } | null;
  latestVerdict: Verdict | null;
  rolledBackFrom: { step: number; steps: Step[] } | null;
  reason: string | null;
  error: { message: string } | null;
  requestedBy: string | null;
  request: 'none' | 'abort' | 'promote' | 'pause' | 'resume';
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  updatedAt: string;
}
export interface Traffic {
  release: string;
  role: 'stable' | 'candidate';
  weight: number;
}
/** GET /api/v1/projects/:project/overview (src/api/overview/view.ts): what the overview shows, nothing more. */
export interface OverviewService {
  service: string;
  stable: string | null;
  traffic: Traffic[];
  instances: { running: number; healthy: number };
  active: {
    id: string;
    kind: string;
    version: string;
    state: DeploymentState;
    paused: boolean;
    step: number;
    steps: number;
    stepDescription: string | null;
  } | null;
  last: { id: string; version: string; state: DeploymentState; finishedAt: string | null } | null;
}
export interface ProjectOverview {
  project: string;
  dataPlane: { healthy: boolean; kind?: 'builtin' | 'haproxy' };
  environments: { name: string; url: string; services: OverviewService[] }[];
}
export interface Project {
  name: string;
  environments: { name: string }[];
  services: { name: string }[];
}
export interface Instance {
  id: string;
  service: string;
  environment: string;
  release: string;
  deploymentId: string | null;
  state: string;
  desired: string;
  address: string | null;
  restarts: number;
  message: string | null;
  startedAt: string;
}
export interface TimelineEvent {
  id: number;
  project: string | null;
  deploymentId: string | null;
  service: string | null;
  environment: string | null;
  kind: string;
  message: string;
  data: Record<string, unknown>;
  at: string;
}
