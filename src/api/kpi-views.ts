import { z } from 'zod';

/** The response shapes of the delivery figures (src/kpis/model.ts), for the API's schema. */
const check = z.object({
  target: z.string(),
  status: z.enum(['pass', 'fail', 'unknown']),
  note: z
    .string()
    .optional()
    .describe('Why, when the figure alone does not say (MTBF without a failure, MTTR with an outage still open)'),
});
const durations = z.object({ count: z.int(), meanMs: z.number().nullable(), medianMs: z.number().nullable() });
const share = z.number().nullable();
const restores = durations.extend({
  open: z.int().describe('outages still open at the end of the period: each counts against MTTR'),
  longestOpenMs: z.number().nullable().describe('how long the oldest one still open has been open'),
});

export const kpisView = z.object({
  deployments: z.object({ finished: z.int(), succeeded: z.int(), rolledBack: z.int(), failed: z.int() }),
  deploymentFrequency: z.object({ perDay: z.number(), succeeded: z.int() }),
  leadTime: durations,
  changeFailureRate: z.object({ value: share, failedChanges: z.int() }),
  timeToRestore: z.object({
    incidents: restores,
    deployments: restores,
    judgedOn: z
      .enum(['incidents', 'deployments'])
      .describe('what the check judges: the incidents, or the deployments when the period has no incident'),
    check,
  }),
  successRate: z.object({ value: share, check }),
  rollbackFrequency: z.object({ value: share, rollbacks: z.int(), check }),
  mtbf: z.object({
    valueMs: z
      .number()
      .nullable()
      .describe(
        'null without failures: the mean is then at least upMs, so the check passes once upMs reaches the target ' +
          'and is unknown before (its note says how much history there is)',
      ),
    failures: z.int(),
    upMs: z.number().describe('the time observed (from the first deployment, if inside the period) less outages'),
    check,
  }),
  availability: z.object({
    uptime: share,
    probes: z.int(),
    probeFailures: z.int(),
    errorShare: share,
    requests: z.int(),
    check,
  }),
  incidents: z.object({ opened: z.int(), open: z.int() }),
});

export const kpisResponse = z.object({
  since: z.string(),
  until: z.string(),
  environments: z.array(z.object({ environment: z.string(), service: z.string().optional(), kpis: kpisView })),
});
