/**
 * PagerDuty Events API v2: trigger, acknowledge and resolve one alert per incident (or per
 * deployment, or per alert group), so the dedup key ties every message about it together.
 */
import type { NotificationMessage } from '../message.js';
import { postJson } from '../http.js';
import type { NotificationSender } from '../sender.js';
import type { TriggerName } from '../triggers.js';

export const pagerDutyEventsUrl = 'https://events.pagerduty.com/v2/enqueue';

const actions: Record<TriggerName, 'trigger' | 'acknowledge' | 'resolve'> = {
  'on-deployment-started': 'trigger',
  'on-deployment-succeeded': 'resolve',
  'on-deployment-failed': 'trigger',
  'on-deployment-rolled-back': 'trigger',
  'on-approval-needed': 'trigger',
  'on-alert-firing': 'trigger',
  'on-alert-resolved': 'resolve',
  'on-incident-opened': 'trigger',
  'on-incident-acknowledged': 'acknowledge',
  'on-incident-resolved': 'resolve',
  'on-freeze-starting': 'trigger',
  'on-maintenance-notice': 'trigger',
};

const severity = { info: 'info', success: 'info', warning: 'warning', critical: 'critical' } as const;

/**
 * The dedup key: the incident, else the alert group, else the deployments of the service in the environment, else
 * this one event. Deployments share one key per service and environment, not one per deployment: a failed or
 * rolled-back deployment's alert is then resolved by the next deployment of that service there that succeeds (a
 * key per deployment stayed open for ever, as nothing succeeds after a failure under the same deployment id).
 */
export function dedupKey(m: NotificationMessage, key: string): string {
  const v = m.values;
  if (v['incident.id']) return `slipway-incident-${v['incident.id']}`;
  if (v['alert.group'] ?? v['alert.rule']) return `slipway-alert-${v.project}-${v['alert.group'] ?? v['alert.rule']}`;
  if (v.deployment && v.environment && v.service)
    return `slipway-deployment-${v.project}-${v.environment}-${v.service}`.slice(0, 255);
  if (v.deployment) return `slipway-deployment-${v.deployment}`;
  return `slipway-${key}`;
}

/** The Events API v2 body; `payload` only for trigger (acknowledge and resolve carry the dedup key alone). */
export function pagerDutyPayload(m: NotificationMessage, routingKey: string, key: string): Record<string, unknown> {
  const action = actions[m.trigger];
  const v = m.values;
  return {
    routing_key: routingKey,
    event_action: action,
    dedup_key: dedupKey(m, key),
    ...(action === 'trigger'
      ? {
          payload: {
            summary: m.title.slice(0, 1024),
            source: `slipway/${v.project ?? 'project'}${v.environment ? `/${v.environment}` : ''}`,
            severity: severity[m.severity],
            timestamp: m.at,
            ...(v.service ? { component: v.service } : {}),
            ...(v.environment ? { group: v.environment } : {}),
            class: m.trigger.replace(/^on-/, ''),
            custom_details: Object.fromEntries(m.facts.map((f) => [f.label, f.value])),
          },
          client: 'Slipway',
          ...(m.link ? { links: [{ href: m.link, text: 'Deployment' }] } : {}),
        }
      : {}),
  };
}

export const pagerDutySender: NotificationSender = {
  send: ({ message, key, service, signal }) =>
    postJson(
      typeof service.url === 'string' ? service.url : pagerDutyEventsUrl,
      pagerDutyPayload(message, String(service.routingKey), key),
      key,
      signal,
    ),
};
