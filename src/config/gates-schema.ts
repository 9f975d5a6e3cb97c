/**
 * Deployment gates as written in slipway.yaml, per environment: commands that must pass before a
 * deployment (tests, lint, scans), an optional coverage minimum, and HTTP smoke checks after it.
 * Normalized by normalize-gates.ts into GatesConfig.
 */
import { z } from 'zod';
import { percentField } from './canary-schema.js';
import { commandField, envField, positiveWaitField, scalarField, urlPathField } from './fields.js';

const gateName = z.string().min(1).max(63).meta({ description: 'Names the gate in events, results and messages.' });

const commandGateSchema = z
  .strictObject({
    name: gateName,
    command: commandField.meta({
      description: 'The program to run, found on PATH or relative to cwd. Run without a shell.',
    }),
    args: z.array(scalarField).default([]).meta({ description: 'Arguments; {version} is the release version.' }),
    cwd: z
      .string()
      .min(1)
      .default('.')
      .meta({ description: 'Working directory relative to slipway.yaml; may contain {version}.' }),
    timeout: positiveWaitField.default('5m').meta({
      description: 'The command (and every process it started) is killed after this long, and the gate fails.',
    }),
    env: envField
      .optional()
      .meta({ description: "Extra environment variables (Slipway's own secrets are never passed on)." }),
  })
  .meta({ title: 'Command gate', description: 'A check run before the deployment starts; exit status 0 passes.' });

const coverageGateSchema = z
  .strictObject({
    file: z
      .string()
      .min(1)
      .regex(
        /(coverage-summary\.json|\.info|lcov[^/]*)$/,
        'expected a coverage-summary.json (istanbul json-summary) or an lcov file (lcov.info)',
      )
      .meta({ description: 'coverage-summary.json or lcov.info, relative to slipway.yaml; may contain {version}.' }),
    minimum: percentField.meta({ description: 'Minimum line coverage, e.g. 85% (or 0.85).' }),
  })
  .meta({
    title: 'Coverage gate',
    description: 'Line coverage read from a report the before-commands wrote (or CI left behind).',
  });

const smokeCheckSchema = z
  .strictObject({
    name: gateName,
    path: urlPathField('path'),
    method: z.enum(['GET', 'HEAD', 'POST']).default('GET'),
    expect: z
      .strictObject({
        status: z.int().min(100).max(599).default(200).meta({ description: 'Expected HTTP status.' }),
        bodyContains: z.string().min(1).optional().meta({ description: 'Text the response body must contain.' }),
      })
      .prefault({}),
    timeout: positiveWaitField.default('5s').meta({ description: 'How long the request may take.' }),
  })
  .meta({
    title: 'Smoke check',
    description:
      'An HTTP request to the environment address once all traffic is on the new release; a failure rolls it back.',
  });

export const gatesSchema = z
  .strictObject({
    before: z.array(commandGateSchema).default([]).meta({
      description: 'Commands run before any instance of the release starts; one failing fails the deployment.',
    }),
    coverage: coverageGateSchema.optional(),
    after: z
      .array(smokeCheckSchema)
      .default([])
      .meta({ description: 'HTTP smoke checks against the new release; one failing rolls it back.' }),
  })
  .superRefine((gates, ctx) => {
    const seen = new Set<string>();
    for (const [list, items] of [
      ['before', gates.before],
      ['after', gates.after],
    ] as const) {
      items.forEach((gate, i) => {
        if (seen.has(gate.name))
          ctx.addIssue({
            code: 'custom',
            path: [list, i, 'name'],
            message: `gate name "${gate.name}" is used twice; names identify results`,
          });
        seen.add(gate.name);
      });
    }
  })
  .meta({
    title: 'Gates',
    description:
      'Checks a deployment to this environment must pass: commands and coverage before, HTTP smoke checks after.',
  });

/** What gatesSchema returns. */
export type ParsedGates = z.output<typeof gatesSchema>;
