import { z } from 'zod';

/** Shapes of the coordinator API: one zod schema per resource, used for validation, serialisation and OpenAPI. */

const isoTime = z.iso.datetime({ offset: true }).describe('RFC 3339 timestamp');
const nullableTime = isoTime.nullable();

export const errorBody = z
  .object({
    error: z.object({
      code: z
        .string()
        .describe(
          'Stable machine-readable code: invalid_input, unauthorized, forbidden, not_found, conflict, unavailable, ' +
            'failed, internal',
        ),
      message: z.string().describe('What went wrong and what to do, for people'),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .describe('Every error response has this shape');

export const releaseRef = z.object({ id: z.string(), version: z.string() });

export const stepView = z.object({
  kind: z.string(),
  description: z.string(),
  status: z.enum(['done', 'running', 'pending']),
  step: z.record(z.string(), z.unknown()).describe('The step as data (see Plan in the docs)'),
});

export const metricResultView = z.object({
  metric: z.string(),
  source: z.string(),
  rule: z.string(),
  classification: z.enum(['pass', 'high', 'low', 'nodata', 'error']),
  candidate: z.number().optional(),
  stable: z.number().optional(),
  baseline: z.number().optional(),
  unit: z.string().optional(),
  candidateCount: z.number().optional(),
  stableCount: z.number().optional(),
  statistic: z.object({ name: z.string(), value: z.number(), pValue: z.number().optional() }).optional(),
  threshold: z.string(),
  conclusive: z.boolean(),
  weight: z.number(),
  message: z.string(),
});

export const verdictView = z.object({
  id: z.int(),
  step: z.int(),
  at: isoTime,
  outcome: z.enum(['pass', 'fail', 'running', 'inconclusive']),
  score: z.number(),
  final: z.boolean().describe('Given at the end of an analyze step (a gate) rather than by the continuous watch'),
  reason: z.string(),
  metrics: z.array(metricResultView),
});

export const deploymentView = z.object({
  id: z.string(),
  project: z.string(),
  service: z.string(),
  environment: z.string(),
  kind: z.enum(['deploy', 'rollback']),
  state: z.enum(['queued', 'running', 'rolling_back', 'succeeded', 'rolled_back', 'failed', 'cancelled']),
  strategy: z.string(),
  from: releaseRef.nullable().describe('The stable release when the deployment started (null on a first deployment)'),
  to: releaseRef.describe('The candidate release'),
  step: z.int().describe('Index of the current step in `steps`'),
  steps: z.array(stepView),
  trafficShifted: z.boolean().describe('Did the candidate ever get a share of traffic?'),
  paused: z
    .object({ reason: z.string(), by: z.string().optional(), at: isoTime })
    .nullable()
    .describe('Held until slipway resume / promote'),
  latestVerdict: verdictView.nullable().describe('Canary: the newest verdict of the judge'),
  rolledBackFrom: z
    .object({ step: z.int(), steps: z.array(stepView) })
    .nullable()
    .describe('When rolling back or rolled back: the original plan and the step it had reached'),
  reason: z.string().nullable().describe('Why it rolled back or failed'),
  error: z.object({ message: z.string(), details: z.record(z.string(), z.unknown()).optional() }).nullable(),
  requestedBy: z.string().nullable(),
  emergency: z
    .object({ reason: z.string(), by: z.string().optional() })
    .nullable()
    .describe('Deployed through a freeze with --emergency'),
  request: z
    .enum(['none', 'abort', 'promote', 'pause', 'resume'])
    .describe('The control request waiting for the engine (abort, promote, pause, resume), or none'),
  watch: z
    .object({
      state: z.enum(['watching', 'passed', 'regressed', 'ended']),
      startedAt: isoTime,
      until: isoTime,
      onRegression: z.enum(['rollback', 'alert']),
      reason: z.string().optional(),
      rollback: z.string().optional().describe('The deployment that rolled the release back'),
    })
    .nullable()
    .describe('The post-deploy watch of a deployment that succeeded'),
  rollout: z.string().nullable().describe('The rollout (a release of the whole project) this deployment is part of'),
  restart: z
    .boolean()
    .describe('The stable release started again after `slipway down` (not a change: the delivery figures omit it)'),
  createdAt: isoTime,
  startedAt: nullableTime,
  finishedAt: nullableTime,
  updatedAt: isoTime,
});

export const rolloutView = z.object({
  id: z.string(),
  project: z.string(),
  environment: z.string(),
  version: z.string(),
  state: z.enum(['running', 'rolling_back', 'succeeded', 'rolled_back', 'failed']),
  reason: z.string().nullable().describe('Why it rolled back or failed'),
  requestedBy: z.string().nullable(),
  emergency: z.object({ reason: z.string() }).nullable(),
  components: z.array(
    z.object({
      service: z.string(),
      level: z.int().describe('0 moves first; each level after every component of the levels below succeeded'),
      phase: z.enum([
        'unchanged',
        'pending',
        'deploying',
        'succeeded',
        'failed',
        'reverting',
        'reverted',
        'revert_failed',
        'superseded',
        'cancelled',
      ]),
      from: z.string().nullable().describe('The version it moved from (null on a first deployment)'),
      to: z.string(),
      deployment: z.string().nullable(),
      rollback: z.string().nullable().describe('The deployment that brought the previous release back'),
      reason: z.string().nullable(),
    }),
  ),
  createdAt: isoTime,
  finishedAt: nullableTime,
  watchUntil: nullableTime.describe('Until then, a rollback of one component rolls the whole release back'),
});

export const instanceView = z.object({
  id: z.string(),
  project: z.string(),
  service: z.string(),
  environment: z.string(),
  release: z.string().describe('Release version'),
  releaseId: z.string(),
  deploymentId: z.string().nullable(),
  runtime: z.string(),
  address: z.string().nullable(),
  pid: z.int().nullable(),
  desired: z
    .enum(['running', 'warm', 'stopped'])
    .describe('running = in rotation when healthy; warm = kept running unrouted for rollback'),
  state: z.string().describe('starting, healthy, unhealthy, crashed, failed, stopping, stopped'),
  restarts: z.int(),
  message: z.string().nullable(),
  startedAt: isoTime,
  stoppedAt: nullableTime,
  retireAt: nullableTime,
});

export const eventView = z.object({
  id: z.int(),
  project: z.string().nullable(),
  deploymentId: z.string().nullable(),
  service: z.string().nullable(),
  environment: z.string().nullable(),
  kind: z.string(),
  message: z.string(),
  data: z.record(z.string(), z.unknown()),
  at: isoTime,
});

export const releaseView = z.object({
  id: z.string(),
  project: z.string(),
  service: z.string(),
  version: z.string(),
  command: z.string(),
  args: z.array(z.string()),
  cwd: z.string(),
  envKeys: z
    .array(z.string())
    .describe('Names of the environment variables the release sets (values are not returned)'),
  createdAt: isoTime,
});

export const projectView = z.object({
  name: z.string(),
  digest: z.string(),
  environments: z.array(z.object({ name: z.string(), listen: z.string() })),
  services: z.array(z.object({ name: z.string(), instances: z.int(), strategy: z.string(), routePrefix: z.string() })),
  updatedAt: isoTime,
});

export const trafficView = z.object({ release: z.string(), role: z.enum(['stable', 'candidate']), weight: z.int() });

export const serviceStatusView = z.object({
  service: z.string(),
  stable: z.string().nullable().describe('Stable release version'),
  previous: z.string().nullable(),
  traffic: z.array(trafficView),
  instances: z.array(
    z.object({
      id: z.string(),
      release: z.string(),
      state: z.string(),
      desired: z.string(),
      address: z.string().nullable(),
      restarts: z.int(),
    }),
  ),
  activeDeployment: deploymentView.nullable(),
  lastDeployment: deploymentView.nullable(),
});

export const statusView = z.object({
  project: z.string(),
  dataPlane: z.object({
    healthy: z.boolean(),
    kind: z.enum(['builtin', 'haproxy']).meta({ description: "proxy.kind: Slipway's own proxy or HAProxy" }),
  }),
  environments: z.array(
    z.object({
      name: z.string(),
      listen: z.string(),
      url: z.string(),
      services: z.array(serviceStatusView),
      rollout: rolloutView
        .nullable()
        .describe("The environment's latest release of the whole project (slipway release)"),
    }),
  ),
});

export const idParams = z.object({ id: z.string().min(1).max(100) });
export const projectParams = z.object({ project: z.string().min(1).max(100) });
