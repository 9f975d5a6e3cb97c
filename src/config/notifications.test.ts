import { describe, expect, it } from 'vitest';
import { issuesFor, rawConfig } from '../../test/support/config.js';
import { validateConfigObject } from './validate.js';

function withNotifications(notifications: unknown) {
  const raw = rawConfig();
  raw.notifications = notifications;
  return raw;
}

const services = {
  chat: { type: 'slack', url: 'secret:SLACK_URL' },
  hook: { type: 'webhook', url: 'secret:HOOK_URL', secret: 'secret:HOOK_SECRET' },
};

describe('notifications config', () => {
  it('normalizes services to secret names, durations to ms, and keeps subscriptions', () => {
    const config = validateConfigObject(
      withNotifications({
        services,
        templates: { short: { title: '{{service}} failed', body: '{{reason}} {{link}}' } },
        subscriptions: [
          { on: ['on-deployment-failed'], to: ['chat'], environments: ['production'], template: 'short' },
        ],
      }),
      { baseDir: '/srv/app' },
    );
    expect(config.notifications).toEqual({
      timeoutMs: 10_000,
      concurrency: 4,
      retry: { attempts: 10, backoffMs: 1000, maxBackoffMs: 300_000 },
      freezeNoticeMs: 3_600_000,
      services: {
        chat: { type: 'slack', url: 'SLACK_URL' },
        hook: { type: 'webhook', url: 'HOOK_URL', secret: 'HOOK_SECRET' },
      },
      templates: { short: { title: '{{service}} failed', body: '{{reason}} {{link}}' } },
      subscriptions: [{ on: ['on-deployment-failed'], to: ['chat'], environments: ['production'], template: 'short' }],
    });
  });

  it('names an invalid template, an unknown service, trigger or environment by key path', () => {
    const issues = issuesFor(
      withNotifications({
        services: { ...services, mail: { type: 'fax', url: 'secret:X' } },
        templates: { bad: { title: '{{ servce }}', body: 'ok {{ reason }' } },
        subscriptions: [
          { on: ['on-deployment-exploded'], to: ['chta'], environments: ['prod'], template: 'nope' },
          { on: ['on-incident-opened'], to: ['hook'], services: ['web'] },
        ],
      }),
    );
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(byPath['notifications.services.mail.type']).toMatch(/slack|expected/);
    expect(byPath['notifications.templates.bad.title']).toMatch(/unknown placeholder \{\{servce\}\}/);
    expect(byPath['notifications.templates.bad.body']).toMatch(/unbalanced/);
    expect(byPath['notifications.subscriptions[0].on[0]']).toMatch(/on-deployment-started/);
    expect(byPath['notifications.subscriptions[0].to[0]']).toMatch(/unknown notification service "chta".*chat, hook/);
    expect(byPath['notifications.subscriptions[0].environments[0]']).toMatch(/unknown environment "prod"/);
    expect(byPath['notifications.subscriptions[0].template']).toMatch(/unknown template "nope"/);
    expect(byPath['notifications.subscriptions[1].services[0]']).toMatch(/unknown service "web"/);
  });

  it('refuses a URL written in the config: only secret:NAME', () => {
    const issues = issuesFor(withNotifications({ services: { chat: { type: 'slack', url: 'https://hooks.x/T/B' } } }));
    expect(issues).toEqual([
      expect.objectContaining({
        path: 'notifications.services.chat.url',
        message: expect.stringMatching(/secret:NAME/),
      }),
    ]);
  });
});

describe('maintenance notices in config', () => {
  it('accepts on-maintenance-notice and its placeholders; a misspelt trigger or placeholder is named', () => {
    const ok = validateConfigObject(
      withNotifications({
        services,
        templates: {
          notice: { title: '{{service}} {{to}} at {{maintenance.at}}', body: '{{from}} → {{to}}\n{{release.notes}}' },
        },
        subscriptions: [{ on: ['on-maintenance-notice'], to: ['chat'], template: 'notice' }],
      }),
      { baseDir: '/srv/app' },
    );
    expect(ok.notifications!.subscriptions[0]!.on).toEqual(['on-maintenance-notice']);
    const issues = issuesFor(
      withNotifications({
        services,
        templates: { notice: { title: '{{maintenance.when}}', body: 'x' } },
        subscriptions: [{ on: ['on-maintenance-scheduled'], to: ['chat'] }],
      }),
    );
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(byPath['notifications.templates.notice.title']).toMatch(/unknown placeholder \{\{maintenance.when\}\}/);
    expect(byPath['notifications.subscriptions[0].on[0]']).toMatch(/on-maintenance-notice/);
  });
});

describe('subscription triggers in config', () => {
  const subscribe = (on: unknown) =>
    Object.fromEntries(
      issuesFor(withNotifications({ services, subscriptions: [{ on, to: ['chat'] }] })).map((i) => [i.path, i.message]),
    );

  it('suggests the trigger a misspelt one is close to', () => {
    expect(subscribe(['on-deployment-faild'])['notifications.subscriptions[0].on[0]']).toBe(
      'unknown trigger "on-deployment-faild" (did you mean "on-deployment-failed"?)',
    );
  });

  it('asks for a list when one trigger is written without brackets', () => {
    expect(subscribe('on-deployment-failed')['notifications.subscriptions[0].on']).toBe(
      'expected a list; write it as a list: on: [on-deployment-failed]',
    );
  });

  it('asks for at least one trigger, with an example', () => {
    expect(subscribe([])['notifications.subscriptions[0].on']).toBe(
      'must name at least one trigger, e.g. on: [on-deployment-failed]',
    );
  });
});

describe('templates in config', () => {
  it('reports every unknown placeholder of a title in one issue', () => {
    const issues = issuesFor(
      withNotifications({ templates: { t: { title: '{{service}} {{nope1}} {{nope2}}', body: 'x' } } }),
    );
    expect(issues).toEqual([
      expect.objectContaining({
        path: 'notifications.templates.t.title',
        message: expect.stringMatching(/^unknown placeholders \{\{nope1\}\}, \{\{nope2\}\}; one of: trigger, /),
      }),
    ]);
  });
});
