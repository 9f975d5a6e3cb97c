/**
 * `triggers:` in slipway.yaml: which pushes deploy where. Only GitHub for now; the key is per
 * provider so another one slots in beside it without renaming anything.
 */
import { z } from 'zod';
import { environmentNameField, nameField } from './fields.js';

/** What a branch pattern may contain: git branch names without spaces or ~ ^ : ? [ \ . */
const branchPattern = /^[^\s~^:?[\\]+$/;

const triggerRuleSchema = z
  .strictObject({
    branch: z
      .string()
      .min(1)
      .regex(branchPattern, 'expected a branch name or glob, like main or "feature/*" (no spaces or ~ ^ : ? [ \\)')
      .meta({
        description:
          'Branch name (main) or glob: * matches within one path segment (feature/*), ** across segments (release/**).',
      }),
    environment: environmentNameField.meta({
      description:
        'The environment a matching push deploys to; freezes and promotion rules apply as for any deployment.',
    }),
    services: z
      .array(nameField)
      .min(1)
      .optional()
      .meta({ description: 'Services deployed by a matching push (default: every service).' }),
    version: z
      .enum(['{sha7}', '{sha}'])
      .default('{sha7}')
      .meta({
        description:
          'Release version made from the pushed commit: "{sha7}" (its first 7 characters, the default) or "{sha}" ' +
          '(all 40).',
      }),
  })
  .meta({ title: 'Trigger rule', description: 'One branch pattern and where a push to it deploys.' });

const githubTriggersSchema = z
  .strictObject({
    secret: z
      .string()
      .regex(
        /^env:[A-Za-z_][A-Za-z0-9_]*$/,
        'expected env:VARIABLE: the secret is read from the environment when a webhook arrives, never written in ' +
          'the config',
      )
      .meta({
        description:
          "The webhook's secret as env:NAME (read from environment variable NAME): every delivery's " +
          'X-Hub-Signature-256 must match it.',
      }),
    rules: z
      .array(triggerRuleSchema)
      .min(1, 'declare at least one rule (e.g. { branch: main, environment: staging })')
      .meta({
        description:
          'Tried in order; the first rule whose branch matches decides (list main before a catch-all like "**"). A ' +
          'push no rule matches deploys nothing.',
      }),
  })
  .meta({
    title: 'GitHub triggers',
    description:
      'Deploy on pushes delivered to POST /api/v1/webhooks/github (content type application/json). Deleted ' +
      'branches, tags and other events deploy nothing.',
  });

/** The whole `triggers:` block. */
export const triggersSchema = z.strictObject({ github: githubTriggersSchema.optional() }).meta({
  title: 'Triggers',
  description: 'Deployments started by outside events (CLI and API deployments need no trigger).',
});
