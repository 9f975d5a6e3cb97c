/**
 * Runbook sections about responding: the alert rules and their thresholds in each environment,
 * the escalation (which notification routes carry which triggers), and the deployment windows.
 * Only names and types of notification services are written, never their secrets.
 */
import type { EnvironmentConfig, ProjectConfig } from '../../config/model.js';
import { describeWindow } from '../../engine/pipeline/windows.js';
import { rulesFor, summaryOf } from '../../observe/alerts/rules.js';
import { configDuration } from '../../shared/config-duration.js';
import type { RunbookSection } from './section.js';

const alertRules: RunbookSection = {
  scope: 'environment',
  title: 'Alert rules',
  render: (_config, env) => {
    if (env.alerts && !env.alerts.enabled) return ['Alerts are off here (`alerts.enabled: false`).'];
    const rules = rulesFor(env.alerts);
    if (rules.length === 0) return ['Every alert rule is turned off here.'];
    const every = env.alerts ? ` Evaluated every ${configDuration(env.alerts.evaluateEveryMs)}` : '';
    const repeat = env.alerts
      ? `, announced again every ${configDuration(env.alerts.repeatIntervalMs)} while firing.`
      : '';
    return [
      `A critical alert opens an incident (one per alert group).${every}${repeat}`,
      '',
      '| rule | severity | fires when | for | keeps firing |',
      '| --- | --- | --- | --- | --- |',
      ...rules.map((r) => {
        const limit = r.relativeTo === 'baseline' ? `${r.threshold}× the baseline` : String(r.threshold);
        return (
          `| ${r.name} | ${r.severity} | ${summaryOf(r)} ` +
          `(${r.reading} ${r.comparison} ${limit}) | ${r.forMs > 0 ? configDuration(r.forMs) : 'immediately'} | ` +
          `${r.keepFiringForMs > 0 ? configDuration(r.keepFiringForMs) : 'no'} |`
        );
      }),
    ];
  },
};

/** The subscriptions that apply to an environment, as "triggers → services (types)", with their service filter. */
function routesOf(config: ProjectConfig, env: EnvironmentConfig): string[] {
  const n = config.notifications;
  if (!n) return [];
  return n.subscriptions
    .filter((s) => !s.environments || s.environments.includes(env.name))
    .map((s) => {
      const to = s.to.map((name) => `${name} (${n.services[name]?.type ?? 'unknown'})`).join(', ');
      const scope = s.services ? ` — services ${s.services.join(', ')}` : '';
      return `- ${s.on.join(', ')} → ${to}${scope}${s.template ? ` — template ${s.template}` : ''}`;
    });
}

const escalation: RunbookSection = {
  scope: 'environment',
  title: 'Escalation (notification routes)',
  render: (config, env) => {
    const routes = routesOf(config, env);
    return routes.length > 0
      ? [
          'Slipway sends these by itself (outbox, retried); see what went out with ' +
            `\`slipway notifications --env ${env.name}\` and what failed with \`--failed\`.`,
          '',
          ...routes,
        ]
      : [
          'No notification routes reach this environment: nobody is told automatically ' +
            '(`notifications.subscriptions`).',
        ];
  },
};

const windows: RunbookSection = {
  scope: 'environment',
  title: 'Deployment windows',
  render: (_config, env) =>
    (env.windows ?? []).length > 0
      ? [
          `Deployments start only in: ${(env.windows ?? []).map(describeWindow).join('; ')}.`,
          'Outside them: `slipway deploy … --at next-window`, or an admin with `--emergency --reason "…"` (audited).',
        ]
      : [],
};

export const respondSections: RunbookSection[] = [windows, alertRules, escalation];
