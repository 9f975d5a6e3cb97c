/**
 * The message of one delivery, composed when the event is dispatched and stored with it, so a
 * retry after a restart sends exactly what the first attempt sent. It holds no URL or token.
 */
import { messageOf } from '../shared/errors.js';
import { shorten } from '../shared/shorten.js';
import { renderTemplate, type TemplateValues } from './template.js';
import type { TriggerName } from './triggers.js';

export type Severity = 'info' | 'success' | 'warning' | 'critical';

export interface NotificationMessage {
  trigger: TriggerName;
  severity: Severity;
  /** One line: Slack header, e-mail subject, card title, PagerDuty summary. */
  title: string;
  body: string;
  /** Labelled facts: Slack fields, a Teams FactSet, e-mail lines. */
  facts: { label: string; value: string }[];
  /** The deployment, when the event is about one. */
  link?: string;
  /** Every template value of the event (the webhook payload's data). */
  values: TemplateValues;
  /** When the event happened (ISO 8601). */
  at: string;
}

const severities: Record<TriggerName, Severity> = {
  'on-deployment-started': 'info',
  'on-deployment-succeeded': 'success',
  'on-deployment-failed': 'critical',
  'on-deployment-rolled-back': 'warning',
  'on-approval-needed': 'info',
  'on-alert-firing': 'warning',
  'on-alert-resolved': 'success',
  'on-incident-opened': 'critical',
  'on-incident-acknowledged': 'warning',
  'on-incident-resolved': 'success',
  'on-freeze-starting': 'info',
  'on-maintenance-notice': 'info',
};

const what: Record<TriggerName, string> = {
  'on-deployment-started': 'deployment started',
  'on-deployment-succeeded': 'deployment succeeded',
  'on-deployment-failed': 'deployment failed',
  'on-deployment-rolled-back': 'deployment rolled back',
  'on-approval-needed': 'approval needed',
  'on-alert-firing': 'alert firing',
  'on-alert-resolved': 'alert resolved',
  'on-incident-opened': 'incident opened',
  'on-incident-acknowledged': 'incident acknowledged',
  'on-incident-resolved': 'incident resolved',
  'on-freeze-starting': 'freeze starting',
  'on-maintenance-notice': 'maintenance notice',
};

const factLabels: [keyof TemplateValues, string][] = [
  ['environment', 'Environment'],
  ['service', 'Service'],
  ['from', 'From'],
  ['to', 'To'],
  ['by', 'By'],
  ['reason', 'Reason'],
  ['verdict.score', 'Verdict score'],
  ['verdict.figures', 'Figures'],
  ['incident.id', 'Incident'],
  ['incident.severity', 'Severity'],
  ['alert.rule', 'Alert rule'],
  ['alert.severity', 'Severity'],
  ['alert.value', 'Value'],
  ['alert.threshold', 'Threshold'],
  ['freeze.startsAt', 'Starts at'],
  ['maintenance.at', 'Scheduled at'],
];

/** What a message's link opens, as a button or link text says it. */
export function linkLabel(m: Pick<NotificationMessage, 'trigger'>): string {
  return m.trigger === 'on-maintenance-notice' ? 'Status page' : 'Open deployment';
}

/** A critical alert pages as critical (PagerDuty severity, the Slack icon); other alerts are warnings. */
function severityOf(trigger: TriggerName, values: TemplateValues): Severity {
  if (trigger === 'on-alert-firing' && values['alert.severity'] === 'critical') return 'critical';
  return severities[trigger];
}

/** The built-in wording, which never fails: it uses only the values the event has. */
function builtIn(trigger: TriggerName, v: TemplateValues): { title: string; body: string } {
  const subject = v['incident.title'] ?? v['alert.rule'] ?? [v.service, v.to].filter(Boolean).join(' ');
  const where = v.environment ? ` in ${v.environment}` : '';
  const versions = v.from || v.to ? `${v.from ?? '(none)'} → ${v.to ?? '?'}` : undefined;
  if (trigger === 'on-maintenance-notice') return maintenanceNotice(v, versions);
  const body = [versions, v.by && `by ${v.by}`, v.reason, v['verdict.figures'], v.message, v['release.notes']]
    .filter(Boolean)
    .filter((line, i, all) => all.indexOf(line) === i);
  return { title: `${what[trigger]}: ${subject || v.project || 'slipway'}${where}`, body: body.join('\n') };
}

/** The built-in maintenance notice: what will be deployed where, from which version, when, by whom, and the notes. */
function maintenanceNotice(v: TemplateValues, versions: string | undefined): { title: string; body: string } {
  const subject = [v.service, v.to].filter(Boolean).join(' ') || v.project || 'a deployment';
  const where = v.environment ? ` to ${v.environment}` : '';
  const when = v['maintenance.at'] ? ` at ${v['maintenance.at']}` : '';
  if (v['maintenance.cancelled']) return maintenanceOff(v, versions, `${subject}${where}${when}`);
  if (v['maintenance.waitsBehind']) return maintenanceDelayed(v, versions, `${subject}${where}${when}`);
  const body = [
    `${[v.environment, v.service].filter(Boolean).join(' · ')}${versions ? `: ${versions}` : ''}`,
    v['maintenance.at'] && `scheduled for ${v['maintenance.at']}`,
    v.by && `by ${v.by}`,
    v.message,
    v.link && `status: ${v.link}`,
    v['release.notes'],
  ].filter(Boolean);
  return { title: `maintenance notice: ${subject}${where}${when}`, body: body.join('\n') };
}

/**
 * The maintenance announced is delayed: its time came while another deployment of its service ran there. It starts
 * when that one ends, or is called off at `maintenance.until` (then a "did not happen" notice follows).
 */
function maintenanceDelayed(
  v: TemplateValues,
  versions: string | undefined,
  what: string,
): { title: string; body: string } {
  const body = [
    `${[v.environment, v.service].filter(Boolean).join(' · ')}${versions ? `: ${versions}` : ''}`,
    v['maintenance.at'] && `was scheduled for ${v['maintenance.at']}`,
    `it waits for deployment ${v['maintenance.waitsBehind']}, still running there, to end, and starts then` +
      (v['maintenance.until'] ? `; if that has not happened by ${v['maintenance.until']}, it is called off` : ''),
    v.link && `status: ${v.link}`,
  ].filter(Boolean);
  return { title: `maintenance delayed: ${what}`, body: body.join('\n') };
}

/**
 * The maintenance announced will not happen: the same facts, then who called it off and why, or why it could not
 * start at its time (`maintenance.cancelled` is `failed`).
 */
function maintenanceOff(
  v: TemplateValues,
  versions: string | undefined,
  what: string,
): { title: string; body: string } {
  const failed = v['maintenance.cancelled'] === 'failed';
  const body = [
    `${[v.environment, v.service].filter(Boolean).join(' · ')}${versions ? `: ${versions}` : ''}`,
    v['maintenance.at'] &&
      (failed
        ? `was scheduled for ${v['maintenance.at']}; it did not start`
        : `was scheduled for ${v['maintenance.at']}; it will not happen`),
    !failed && v.by && `cancelled by ${v.by}`,
    v.reason,
    v.link && `status: ${v.link}`,
  ].filter(Boolean);
  return {
    title: `${failed ? 'maintenance did not happen' : 'maintenance cancelled'}: ${what}`,
    body: body.join('\n'),
  };
}

/**
 * Compose a message from a template, or the built-in wording without one. A template that fails
 * for this event gives the built-in (plain) message and the error, which the delivery records.
 */
export function composeMessage(
  trigger: TriggerName,
  values: TemplateValues,
  at: Date,
  template?: { name: string; title: string; body: string },
): { message: NotificationMessage; renderError?: string } {
  let text = builtIn(trigger, values);
  let renderError: string | undefined;
  if (template) {
    try {
      text = { title: renderTemplate(template.title, values), body: renderTemplate(template.body, values) };
    } catch (e) {
      renderError = `template "${template.name}": ${messageOf(e)}; used the plain message instead`;
    }
  }
  const facts = factLabels.flatMap(([key, label]) => (values[key] ? [{ label, value: values[key] }] : []));
  return {
    message: {
      trigger,
      severity: severityOf(trigger, values),
      // Slack's header takes 150 characters; cut at a word, with an ellipsis.
      title: shorten(text.title, 150),
      body: text.body,
      facts,
      ...(values.link ? { link: values.link } : {}),
      values,
      at: at.toISOString(),
    },
    ...(renderError ? { renderError } : {}),
  };
}
