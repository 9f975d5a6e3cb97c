/**
 * `notifications:` in slipway.yaml — the model of Argo's notifications-engine: notification
 * services (where messages go), templates (what they say) and subscriptions (which triggers, for
 * which environments and services, go to which notification services). URLs and tokens are never
 * written here: they are `secret:NAME`, read from Slipway's secrets of the environment.
 */
import { z } from 'zod';
import { templateProblem } from '../notify/template.js';
import { environmentNameField, nameField, positiveWaitField } from './fields.js';
import { githubServiceSchema, jiraServiceSchema } from './notify-services-schema.js';
import { secretRef } from './secret-ref.js';
import { hint } from './suggest.js';

/** Every trigger a subscription may name. */
export const triggerNames = [
  'on-deployment-started',
  'on-deployment-succeeded',
  'on-deployment-failed',
  'on-deployment-rolled-back',
  'on-approval-needed',
  'on-alert-firing',
  'on-alert-resolved',
  'on-incident-opened',
  'on-incident-acknowledged',
  'on-incident-resolved',
  'on-freeze-starting',
  'on-maintenance-notice',
] as const;

const templateText = (what: string) =>
  z
    .string()
    .min(1)
    .max(4000)
    .superRefine((text, ctx) => {
      const problem = templateProblem(text);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .meta({ description: `${what}, with placeholders like {{service}}, {{from}}, {{to}}, {{reason}}, {{link}}.` });

const emailAddress = z.email('expected an e-mail address like releases@example.com');

const serviceSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('slack'), url: secretRef('incoming webhook URL') }),
    z.strictObject({ type: z.literal('teams'), url: secretRef('Workflows webhook URL') }),
    z.strictObject({
      type: z.literal('email'),
      url: secretRef('SMTP server URL (smtp://user:password@host:587 or smtps://…)'),
      from: emailAddress.meta({ description: 'The sender address.' }),
      to: z.array(emailAddress).min(1).max(50).meta({ description: 'Recipients.' }),
    }),
    z.strictObject({
      type: z.literal('webhook'),
      url: secretRef('endpoint URL'),
      secret: secretRef('Standard Webhooks signing secret (whsec_… or base64)'),
    }),
    jiraServiceSchema,
    githubServiceSchema,
    z.strictObject({
      type: z.literal('pagerduty'),
      routingKey: secretRef('Events API v2 integration (routing) key'),
      url: secretRef('Events API URL (absent: https://events.pagerduty.com/v2/enqueue)').optional(),
    }),
  ])
  .meta({
    title: 'Notification service',
    description:
      'Where messages go: slack, teams, email, webhook (Standard Webhooks signed), pagerduty, jira (issues per ' +
      'incident and deployment) or github (deployment statuses).',
  });

const templateSchema = z
  .strictObject({
    title: templateText('One line: the Slack header, the e-mail subject, the card title'),
    body: templateText('The text under it'),
  })
  .meta({ title: 'Template' });

const subscriptionSchema = z
  .strictObject({
    on: z
      .array(
        z.enum(triggerNames, {
          error: (issue) =>
            typeof issue.input === 'string'
              ? `unknown trigger "${issue.input}"${hint(issue.input, triggerNames)}`
              : undefined,
        }),
      )
      .min(1, 'must name at least one trigger, e.g. on: [on-deployment-failed]')
      .meta({ description: `Triggers: ${triggerNames.join(', ')}.` }),
    to: z.array(nameField).min(1).meta({ description: 'Notification services (names under notifications.services).' }),
    environments: z
      .array(environmentNameField)
      .optional()
      .meta({ description: 'Only events of these environments (absent: all).' }),
    services: z.array(nameField).optional().meta({ description: 'Only events of these services (absent: all).' }),
    template: nameField
      .optional()
      .meta({ description: 'A template under notifications.templates (absent: built-in).' }),
  })
  .meta({ title: 'Subscription' });

/** The whole `notifications:` block. */
export const notificationsSchema = z
  .strictObject({
    link: z
      .url({ protocol: /^https?$/ })
      .optional()
      .meta({ description: 'Base URL of deployment links in messages (absent: the coordinator address).' }),
    timeout: positiveWaitField.default('10s').meta({ description: 'How long one send may take.' }),
    concurrency: z
      .int()
      .min(1)
      .max(64)
      .default(4)
      .meta({ description: 'Sends in flight per notification service: a hanging one holds only its own.' }),
    retry: z
      .strictObject({
        attempts: z.int().min(1).max(100).default(10).meta({ description: 'Attempts before a delivery fails.' }),
        backoff: positiveWaitField.default('1s').meta({ description: 'Wait before the 2nd attempt; doubles after.' }),
        maxBackoff: positiveWaitField.default('5m').meta({ description: 'The longest wait between attempts.' }),
      })
      .prefault({})
      .meta({ description: '5xx answers, timeouts and refused connections are retried; other 4xx are not.' }),
    freezeNotice: positiveWaitField
      .default('1h')
      .meta({ description: 'on-freeze-starting fires this long before a freeze window starts.' }),
    services: z.record(nameField, serviceSchema).default({}).meta({ description: 'Notification services by name.' }),
    templates: z.record(nameField, templateSchema).default({}).meta({ description: 'Templates by name.' }),
    subscriptions: z.array(subscriptionSchema).default([]).meta({ description: 'Which triggers go where.' }),
  })
  .meta({
    title: 'Notifications',
    description:
      'Messages about deployments, approvals, alerts, incidents and freezes, sent through an outbox with retries.',
  });
