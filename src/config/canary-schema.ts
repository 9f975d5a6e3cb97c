/**
 * The canary strategy as written in slipway.yaml: steps (setWeight / pause / analyze), the
 * candidate's scale, sticky sessions, and the analysis (judge thresholds, Prometheus queries,
 * HTTP probes). Normalized by normalize-canary.ts into CanaryStrategy.
 */
import { z } from 'zod';
import { durationField, positiveDurationField, positiveWaitField, urlPathField } from './fields.js';

const percentMessage = 'expected a percentage like 1% or a fraction like 0.01';
/** A share: "1%" or 0.01. */
export const percentField = z.union(
  [z.number().min(0, percentMessage).max(1, percentMessage), z.string().regex(/^\d+(\.\d+)?%$/, percentMessage)],
  {
    error: percentMessage,
  },
);

const weightMessage = 'expected a whole percentage of traffic from 1 to 100';

/** One step: exactly one of setWeight, pause, analyze. */
const stepSchema = z
  .strictObject({
    setWeight: z
      .int(weightMessage)
      .min(1, weightMessage)
      .max(100, weightMessage)
      .optional()
      .meta({ description: 'Send this percentage of traffic to the candidate.' }),
    pause: z
      .union([durationField, z.strictObject({})], {
        error: 'expected a duration like 30s, or {} to wait until `slipway promote` / `slipway resume`',
      })
      .optional()
      .meta({ description: 'Hold for a duration, or `{}` until someone runs slipway promote or resume.' }),
    analyze: z
      .strictObject({
        for: positiveDurationField.meta({ description: 'How long the judge watches before the canary may go on.' }),
      })
      .optional()
      .meta({ description: 'Hold while the judge compares candidate and stable; go on only when it passes.' }),
  })
  .refine((step) => [step.setWeight, step.pause, step.analyze].filter((v) => v !== undefined).length === 1, {
    message: 'a step is exactly one of setWeight: N, pause: 30s | {}, analyze: { for: 20s }',
  })
  .meta({ title: 'Canary step' });

const probeSchema = z
  .strictObject({
    name: z.string().min(1).max(63).meta({ description: 'Names the check in verdicts.' }),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET'),
    path: urlPathField('path'),
    body: z.unknown().optional().meta({ description: 'JSON body.' }),
    headers: z.record(z.string(), z.string()).optional(),
    expect: z
      .strictObject({
        status: z.int().min(100).max(599).default(200),
        bodyContains: z.string().optional(),
        json: z
          .record(z.string(), z.unknown())
          .optional()
          .meta({ description: 'Dotted path → expected value, e.g. { premium: 102668.99 }.' }),
        release: z.boolean().optional().meta({ description: 'Check the X-Release header names the candidate.' }),
      })
      .prefault({}),
  })
  .meta({ title: 'HTTP probe', description: 'A synthetic request sent to the candidate (a correctness canary).' });

const analysisSchema = z
  .strictObject({
    interval: positiveWaitField
      .default('1s')
      .meta({ description: 'How often the judge looks (it fails as soon as evidence is conclusive).' }),
    inconclusiveLimit: z
      .int()
      .min(0)
      .max(100)
      .default(1)
      .meta({ description: 'Inconclusive analyze steps tolerated before onInconclusive applies.' }),
    consecutiveErrorLimit: z
      .int()
      .min(1)
      .max(1000)
      .default(4)
      .meta({ description: 'Consecutive looks where a signal source failed before the canary is rolled back.' }),
    onInconclusive: z
      .enum(['pause', 'rollback'])
      .default('pause')
      .meta({ description: 'What an inconclusive analysis does past the limit: pause for a human, or roll back.' }),
    triggers: z
      .strictObject({
        errorRateVsBaseline: z
          .number()
          .min(1)
          .default(5)
          .meta({ description: 'Roll back when the error rate is above this multiple of the stable baseline.' }),
        p95VsBaseline: z
          .number()
          .min(1)
          .default(5)
          .meta({ description: 'Roll back when p95 latency is above this multiple of the stable baseline.' }),
        maxErrorRate: percentField.default('1%'),
        maxP95: positiveDurationField.default('500ms'),
        unavailableFor: durationField
          .default('2m')
          .meta({ description: 'Roll back when a candidate instance is down this long (all down: at once).' }),
      })
      .prefault({}),
    statistics: z
      .strictObject({
        confidence: percentField
          .default('99.9%')
          .meta({ description: 'Confidence needed before a difference counts (looks happen every interval).' }),
        allowedLatencyIncrease: percentField
          .default('20%')
          .meta({ description: 'How much slower (median) the candidate may be.' }),
        allowedErrorRateIncrease: percentField
          .default('0.5%')
          .meta({ description: 'How many points higher its error rate may be.' }),
        minSamples: z
          .int()
          .min(1)
          .default(20)
          .meta({ description: 'Candidate requests needed before the statistical tests count.' }),
        passScore: z.number().min(0).max(100).default(95),
        marginalScore: z.number().min(0).max(100).default(75),
      })
      .prefault({}),
    prometheus: z
      .strictObject({
        address: z.string().regex(/^https?:\/\/\S+$/, 'expected an http(s) URL, like http://127.0.0.1:9090'),
        metrics: z
          .array(
            z.strictObject({
              name: z.string().min(1).max(63),
              query: z.string().min(1).meta({
                description: 'PromQL; {release}, {service}, {environment}, {project} and {window} are filled in.',
              }),
              higherIsWorse: z.boolean().default(true),
            }),
          )
          .min(1),
      })
      .optional(),
    probes: z.array(probeSchema).optional(),
  })
  .prefault({})
  .meta({ title: 'Canary analysis', description: 'How the judge decides: triggers, statistics, extra signals.' });

export const canarySchema = z
  .strictObject({
    type: z.literal('canary'),
    steps: z
      .array(stepSchema)
      .min(1)
      .default([
        { setWeight: 5 },
        { analyze: { for: '20s' } },
        { setWeight: 25 },
        { analyze: { for: '20s' } },
        { setWeight: 50 },
        { analyze: { for: '20s' } },
        { setWeight: 100 },
      ])
      .superRefine((steps, ctx) => {
        let last = 0;
        steps.forEach((step, i) => {
          if (step.setWeight === undefined) return;
          if (step.setWeight <= last)
            ctx.addIssue({
              code: 'custom',
              path: [i, 'setWeight'],
              message: `weights must increase: ${step.setWeight} after ${last}`,
            });
          last = Math.max(last, step.setWeight);
        });
        if (!steps.some((s) => s.setWeight !== undefined))
          ctx.addIssue({ code: 'custom', path: [], message: 'a canary needs at least one setWeight step' });
      })
      .meta({
        description:
          'setWeight: N / pause: 30s or {} / analyze: { for: 20s }; default 5 → 25 → 50 → 100 with analysis between.',
      }),
    scale: z.int().min(1).max(64).optional().meta({
      description: 'Candidate instances before the final shift (default: in proportion to the weight, at least 1).',
    }),
    sticky: z.boolean().default(false).meta({ description: 'Keep each client on the release it first got (cookie).' }),
    analysis: analysisSchema,
  })
  .meta({
    title: 'Canary',
    description:
      'Send a small, growing share of traffic to the candidate; a judge compares it with stable and rolls back by ' +
      'itself.',
  });
