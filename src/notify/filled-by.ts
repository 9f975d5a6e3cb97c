/**
 * Placeholders that only some triggers ever fill (values.ts fills them for these events only). A template naming one
 * under a subscription to another trigger fails to render for every such message, which then goes out as the plain
 * fallback: `slipway validate` warns about it (config/load.ts) rather than leaving it to be found in Slack.
 * Only what values.ts makes certain is listed: `alert.*`, `freeze.*` and `verdict.*` come from the event's data or
 * its deployment, which other triggers' events may carry too.
 */
import type { NotificationsConfig } from '../config/model.js';
import { parseTemplate, type TemplateVariable } from './template.js';
import type { TriggerName } from './triggers.js';

const incidents: readonly TriggerName[] = ['on-incident-opened', 'on-incident-acknowledged', 'on-incident-resolved'];
/** The triggers whose messages carry the release notes of the version they announce, when notes are stored. */
export const notesTriggers: readonly TriggerName[] = ['on-deployment-succeeded', 'on-maintenance-notice'];
/** A scheduled deployment's events (values.ts `maintenanceKinds`); one that failed unannounced is a failure. */
const maintenance: readonly TriggerName[] = ['on-maintenance-notice', 'on-deployment-failed'];

export const onlyFilledBy: Partial<Record<TemplateVariable, readonly TriggerName[]>> = {
  'incident.id': incidents,
  'incident.severity': incidents,
  'incident.title': incidents,
  'release.notes': notesTriggers,
  'release.notesLink': notesTriggers,
  'maintenance.at': maintenance,
  'maintenance.cancelled': maintenance,
  'maintenance.waitsBehind': maintenance,
  'maintenance.until': maintenance,
};

export interface UnfilledPlaceholder {
  path: (string | number)[];
  message: string;
}

/** Each subscription whose template names a placeholder one of its triggers never fills, with those triggers. */
export function unfilledPlaceholders(notifications: NotificationsConfig | undefined): UnfilledPlaceholder[] {
  if (!notifications) return [];
  const out: UnfilledPlaceholder[] = [];
  for (const [i, s] of notifications.subscriptions.entries()) {
    const template = s.template ? notifications.templates[s.template] : undefined;
    if (!template) continue;
    const named = new Set<TemplateVariable>();
    for (const source of [template.title, template.body])
      for (const part of safeParts(source)) if ('name' in part) named.add(part.name);
    const never = [...named].flatMap((name) => {
      const only = onlyFilledBy[name];
      const triggers = only ? s.on.filter((t) => !only.includes(t as TriggerName)) : [];
      return triggers.length > 0 ? [`{{${name}}} (never filled for ${triggers.join(', ')})`] : [];
    });
    if (never.length > 0)
      out.push({
        path: ['notifications', 'subscriptions', i, 'template'],
        message:
          `template "${s.template}" names ${never.join(', ')}: those messages cannot be rendered and go out as ` +
          'the plain message instead',
      });
  }
  return out;
}

/** A template's parts; one that does not parse is refused by validation already, with its own message. */
function safeParts(source: string) {
  try {
    return parseTemplate(source);
  } catch {
    return [];
  }
}
