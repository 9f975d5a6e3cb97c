import { z } from 'zod';
import { durationField, listenField } from './fields.js';

const ruleSchema = z
  .strictObject({
    enabled: z.boolean().optional().meta({ description: 'false turns the rule off here.' }),
    threshold: z.number().min(0).max(1_000_000).optional().meta({
      description: 'A factor of the baseline (2 = twice it) or an absolute number (0.8 = 80 %), as the rule defines.',
    }),
    for: durationField.optional().meta({ description: 'How long the condition must hold before the alert fires.' }),
    keepFiringFor: durationField
      .optional()
      .meta({ description: 'How long a firing alert stays firing after the condition clears (against flapping).' }),
    window: durationField.optional().meta({
      description: 'The recent window counted (error-users-share: 1h, error-events: 5m); other rules have none.',
    }),
  })
  .meta({ title: 'Alert rule', description: "Changes to one of the seed's alert rules." });

const rule = (description: string) => ruleSchema.optional().meta({ description });

/** The rules that take `window:` (observe/alerts/rules.ts windowedRules; config does not import observe). */
const windowed = ['error-users-share', 'error-events'];

/** `alerts:` of an environment. */
export const alertsSchema = z
  .strictObject({
    enabled: z.boolean().default(true).meta({ description: 'false: no alert rules are evaluated here.' }),
    evaluateEvery: durationField.default('10s').meta({ description: 'How often the rules are evaluated.' }),
    repeatInterval: durationField
      .default('4h')
      .meta({ description: 'A firing alert is announced again (an alert.firing event) this often.' }),
    tls: z
      .array(listenField)
      .max(64)
      .default([])
      .meta({ description: 'host:port endpoints whose TLS certificate is checked for expiry.' }),
    authErrors: z
      .array(
        z
          .string()
          .max(200)
          .regex(
            /^[A-Za-z_$][\w$.]*(: .+)?$/,
            'expected an exception type (AuthenticationError, jwt.InvalidTokenError), or a type, ": " and the start ' +
              'of its message (HTTPException: 401)',
          ),
      )
      .max(200)
      .optional()
      .meta({
        description:
          'SDK error events the auth-failures rule counts as authentication failures: exception types, or ' +
          '"Type: start of the message". Replaces the default list (observe/alerts/auth-errors.ts); [] counts none.',
      }),
    rules: z
      .strictObject({
        'api-latency-p95': rule('Critical: API p95 above threshold × the baseline (2).'),
        'database-unreachable': rule('Critical: the database refuses connections or times out (threshold 0).'),
        'auth-failures': rule(
          'Critical: share of 401/403 answers, or SDK auth error events (authErrors), above threshold × the ' +
            'baseline (5).',
        ),
        'error-rate': rule('Warning: error rate above threshold × the baseline (1.5).'),
        'instance-memory': rule('Warning: resident memory above threshold of resources.memory (0.8).'),
        'disk-usage': rule('Warning: a volume of resources.volumes fuller than threshold (0.85).'),
        'tls-certificate-expiry': rule('Warning: a tls endpoint certificate expires within threshold days (30).'),
        'error-users-share': rule(
          'Critical: users who had an SDK error in the window, as a share of the users the SDK sessions saw (0.05).',
        ),
        'error-events': rule('Warning: more SDK error events of the live release than threshold in the window (100).'),
        'error-new-issue': rule('Warning: an issue first seen in the live release (threshold 0).'),
        'error-regressed-issue': rule('Warning: a resolved issue seen again in the live release (threshold 0).'),
      })
      .superRefine((rules, ctx) => {
        for (const [name, r] of Object.entries(rules)) {
          if (r?.window !== undefined && !windowed.includes(name))
            ctx.addIssue({
              code: 'custom',
              path: [name, 'window'],
              message: `${name} counts no window (only ${windowed.join(' and ')} take one)`,
            });
          if (name === 'error-users-share' && r?.threshold !== undefined && r.threshold > 1)
            ctx.addIssue({
              code: 'custom',
              path: [name, 'threshold'],
              message: 'a share of the users: a number from 0 to 1 (0.05 = 5 %)',
            });
        }
      })
      .default({})
      .meta({ description: "Changes to the seed's rules, by name." }),
  })
  .prefault({})
  .meta({ title: 'Alerts', description: "Alert rules for every live release here; the seed's defaults are on." });

const sizeText = /^(\d+(?:\.\d+)?)\s*(Ki|Mi|Gi|Ti|K|M|G|T)?$/;
const units: Record<string, number> = {
  '': 1,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** "512Mi", "1Gi", "500M" or a number of bytes → bytes; undefined when it is not a size. */
export function parseSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : undefined;
  const match = sizeText.exec(value.trim());
  if (!match) return undefined;
  const bytes = Math.round(Number(match[1]) * units[match[2] ?? '']!);
  return bytes > 0 ? bytes : undefined;
}

/** `resources:` of a service. */
export const resourcesSchema = z
  .strictObject({
    memory: z
      .union([z.string(), z.number()])
      .refine((v) => parseSize(v) !== undefined, 'expected a size like 512Mi, 1Gi or 500M')
      .optional()
      .meta({ description: 'Memory limit per instance (512Mi): the memory alert compares resident memory with it.' }),
    volumes: z
      .array(z.string().min(1))
      .max(32)
      .default([])
      .meta({ description: 'Paths the service writes to (relative to slipway.yaml); their disk use is watched.' }),
  })
  .meta({ title: 'Resources', description: 'Limits and volumes of each instance of the service.' });
