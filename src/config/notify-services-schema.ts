/**
 * The notification services that keep state at the receiver: Jira (an issue per incident, and per
 * deployment in the environments `changes` names) and GitHub (a deployment per release with its
 * statuses). Their settings are plain; the credentials are secret:NAME like every other service.
 */
import { z } from 'zod';
import { environmentNameField } from './fields.js';
import { secretRef } from './secret-ref.js';

const workflowName = (what: string, fallback?: string) =>
  z
    .string()
    .min(1)
    .max(60)
    .meta({
      description: `The transition (or the status it leads to) ${what}${fallback ? ` (default ${fallback})` : ''}.`,
    });

export const jiraServiceSchema = z.strictObject({
  type: z.literal('jira'),
  site: z
    .url({ protocol: /^https?$/, error: 'expected the Jira site URL, like https://example.atlassian.net' })
    .meta({ description: 'The Jira Cloud site, like https://example.atlassian.net.' }),
  email: secretRef('Atlassian account e-mail (basic auth user)'),
  token: secretRef('Atlassian API token'),
  project: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]{1,9}$/, 'expected a Jira project key: 2-10 capitals, digits or _, like OPS')
    .meta({ description: 'The project key issues are created in.' }),
  issueType: z.string().min(1).max(60).default('Task').meta({ description: 'The issue type of an incident.' }),
  transitions: z
    .strictObject({
      acknowledged: workflowName('taken when the incident is acknowledged', 'In Progress').default('In Progress'),
      resolved: workflowName('taken when the incident is resolved or the tracked deployment succeeds', 'Done').default(
        'Done',
      ),
      failed: workflowName(
        'taken when a tracked deployment fails or is rolled back (absent: a comment only)',
      ).optional(),
    })
    .prefault({})
    .meta({ description: 'Workflow transitions by name, as the project board shows them.' }),
  changes: z
    .strictObject({
      environments: z
        .array(environmentNameField)
        .min(1)
        .meta({ description: 'Environments whose deployments get a change issue.' }),
      issueType: z
        .string()
        .min(1)
        .max(60)
        .optional()
        .meta({ description: 'The issue type of a change (default: issueType).' }),
    })
    .optional()
    .meta({
      description: 'Change tracking: one issue per deployment in these environments (subscribe on-deployment-*).',
    }),
});

export const githubServiceSchema = z.strictObject({
  type: z.literal('github'),
  token: secretRef('GitHub token with "Deployments: write" on the repository'),
  repository: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'expected owner/name, like acme/harbor')
    .meta({ description: 'The repository whose pushes trigger the releases.' }),
  api: z
    .url({ protocol: /^https?$/ })
    .default('https://api.github.com')
    .meta({ description: 'The REST API base (GitHub Enterprise Server: https://HOST/api/v3).' }),
  environmentUrls: z
    .record(environmentNameField, z.url({ protocol: /^https?$/ }))
    .default({})
    .meta({ description: 'The URL of each environment, shown on the deployment in GitHub.' }),
});
