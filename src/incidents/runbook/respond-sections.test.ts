import { describe, expect, it } from 'vitest';
import { validateConfigObject } from '../../config/validate.js';
import { renderRunbook, runbookDifference } from './render.js';

function config(o: { latency?: number; pagerEnvs?: string[]; alertsOff?: boolean } = {}) {
  return validateConfigObject(
    {
      project: 'harbor',
      environments: {
        staging: { listen: '127.0.0.1:18081', ...(o.alertsOff ? { alerts: { enabled: false } } : {}) },
        production: {
          listen: '127.0.0.1:18082',
          windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '16:00', timezone: 'Europe/Oslo' }],
          alerts: {
            rules: {
              'api-latency-p95': { threshold: o.latency ?? 3, for: '1m' },
              'auth-failures': { enabled: false },
              'error-events': { window: '15m' },
            },
          },
        },
      },
      services: { api: { command: 'node', args: ['server.js'] } },
      notifications: {
        services: {
          chat: { type: 'slack', url: 'secret:SLACK_URL' },
          pager: { type: 'pagerduty', routingKey: 'secret:PD_KEY' },
        },
        subscriptions: [
          { on: ['on-deployment-failed'], to: ['chat'] },
          { on: ['on-incident-opened'], to: ['pager'], environments: o.pagerEnvs ?? ['production'], services: ['api'] },
        ],
      },
    },
    { baseDir: '/srv/harbor' },
  );
}

const section = (text: string, env: string, title: string) =>
  text.split(`## Environment: ${env}`)[1]!.split(`### ${title}`)[1]!.split('\n### ')[0]!;

describe('the runbook: alert rules, escalation, windows', () => {
  it('writes each environment’s alert rules with their thresholds and its notification routes', () => {
    const text = renderRunbook(config());
    const rules = section(text, 'production', 'Alert rules');
    expect(rules).toContain(
      '| api-latency-p95 | critical | API p95 above 3× the baseline (latency_p95_ms above 3× the baseline) | 1m',
    );
    expect(rules).not.toContain('auth-failures');
    expect(section(text, 'staging', 'Alert rules')).toContain('| auth-failures | critical |');
    const routes = section(text, 'production', 'Escalation (notification routes)');
    expect(routes).toContain('- on-deployment-failed → chat (slack)');
    expect(routes).toContain('- on-incident-opened → pager (pagerduty) — services api');
    expect(section(text, 'staging', 'Escalation (notification routes)')).not.toContain('pager');
    expect(section(text, 'production', 'Deployment windows')).toContain('mon-fri 09:00-16:00 Europe/Oslo');
    expect(text).not.toMatch(/SLACK_URL|PD_KEY/);
    expect(renderRunbook(config({ alertsOff: true }))).toContain('Alerts are off here');
  });

  it('the rules that count over a window say how long it is: the default, or the configured one', () => {
    const text = renderRunbook(config());
    expect(text).not.toContain('{window}');
    expect(section(text, 'staging', 'Alert rules')).toContain(
      'SDK errors affected more than 0.05 of the users in 1h (',
    );
    expect(section(text, 'staging', 'Alert rules')).toContain('more than 100 SDK error events in 5m (');
    expect(section(text, 'production', 'Alert rules')).toContain('more than 100 SDK error events in 15m (');
  });

  it('--check catches a changed threshold or route', () => {
    const committed = renderRunbook(config());
    expect(runbookDifference(committed, renderRunbook(config({ latency: 4 })))?.expected).toContain(
      'above 4× the baseline',
    );
    const rerouted = runbookDifference(committed, renderRunbook(config({ pagerEnvs: ['staging', 'production'] })));
    expect(rerouted?.expected).toContain('on-incident-opened → pager (pagerduty)');
  });
});
