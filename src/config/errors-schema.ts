import { z } from 'zod';
import { positiveDurationField } from './fields.js';
import { secretRef } from './secret-ref.js';

/** A Sentry organization or project slug, as in the addresses of Sentry's settings pages. */
const sentrySlug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,99}$/, 'expected a Sentry slug (lowercase letters, digits, "-" and "_"), e.g. acme');

/** Releases and deploys created through Sentry's API (src/observe/errors/sentry-release-follower.ts). */
const sentryReleasesSchema = z
  .strictObject({
    url: z
      .url({ protocol: /^https?$/ })
      .default('https://sentry.io')
      .meta({ description: "Sentry's address (a self-hosted Sentry: https://sentry.example.com)." }),
    organization: sentrySlug.meta({ description: 'The organization slug.' }),
    projects: z
      .array(sentrySlug)
      .min(1, 'name at least one Sentry project')
      .max(100)
      .meta({ description: 'The Sentry project slugs each release belongs to (Sentry requires one at least).' }),
    token: secretRef('Sentry auth token (scope project:releases or org:ci)'),
  })
  .meta({
    description:
      'When a deployment starts, create its release in Sentry; when it succeeds, a deploy of it to the environment ' +
      "(retried, never blocking). An environment without the token's secret sends nothing.",
  });

/** The coordinator's Sentry-protocol error ingest (src/observe/errors/): what one SDK key may send, what is kept. */
export const errorsSchema = z
  .strictObject({
    rateLimit: z
      .strictObject({
        perSecond: z
          .int()
          .min(1)
          .max(1_000_000)
          .default(1000)
          .meta({ description: 'Envelopes (one event each, as the SDKs send them) per second per DSN key.' }),
        burst: z.int().min(1).max(10_000_000).default(2000).meta({ description: 'Envelopes at once per DSN key.' }),
      })
      .prefault({})
      .meta({ description: 'Past it an SDK gets 429 with Retry-After (the SDKs then wait).' }),
    retention: z
      .strictObject({
        maxEvents: z
          .int()
          .min(100)
          .max(100_000_000)
          .default(100_000)
          .meta({ description: 'Events kept per project; the oldest go first.' }),
        maxAge: positiveDurationField.default('30d').meta({ description: 'Events older than this are deleted.' }),
      })
      .prefault({})
      .meta({ description: 'Stored events are bounded; issues and their counts stay.' }),
    threads: z
      .int()
      .min(0)
      .max(16)
      .optional()
      .meta({
        description:
          'Worker threads that decompress, parse and group the bodies SDKs send, beside the event loop (default: the ' +
          "machine's cores but one, at most 4); 0 reads them on the coordinator's event loop.",
      }),
    forward: z
      .strictObject({
        dsnSecret: z
          .string()
          .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a secret name (letters, digits and _)')
          .optional()
          .meta({
            description:
              'The secret holding the upstream DSN (https://<key>@<host>/<project id>), set per environment with ' +
              '`slipway secrets set`; an environment without it forwards nothing.',
          }),
        releases: sentryReleasesSchema.optional(),
      })
      .optional()
      .meta({
        description:
          "The team's own Sentry: relay accepted envelopes to it as sent (dsnSecret), and create releases and " +
          'deploys in it (releases); both retried, never blocking.',
      }),
  })
  .prefault({})
  .meta({ description: 'Error tracking: the Sentry-protocol ingest (`slipway dsn` prints the DSN).' });
