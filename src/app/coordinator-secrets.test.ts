import { describe, expect, it } from 'vitest';
import { rawConfig } from '../../test/support/config.js';
import { validateConfigObject } from '../config/validate.js';
import { coordinatorEnvNames, coordinatorSecretNames } from './coordinator-secrets.js';

describe('coordinatorSecretNames', () => {
  it("names the notification services' credentials, the hosts' SSH key and Sentry's, nothing of the app's", () => {
    const raw = rawConfig();
    raw.notifications = {
      services: {
        chat: { type: 'slack', url: 'secret:SLACK_URL' },
        hook: { type: 'webhook', url: 'secret:HOOK_URL', secret: 'secret:HOOK_SECRET' },
        jira: {
          type: 'jira',
          site: 'https://example.atlassian.net',
          project: 'OPS',
          email: 'secret:JIRA_EMAIL',
          token: 'secret:JIRA_TOKEN',
        },
      },
      subscriptions: [{ on: ['on-deployment-failed'], to: ['chat', 'hook', 'jira'] }],
    };
    const config = validateConfigObject(raw, { baseDir: '/srv/app' });
    const names = [...coordinatorSecretNames(config, config.environments[0]!.name)].sort();
    expect(names).toEqual(['HOOK_SECRET', 'HOOK_URL', 'JIRA_EMAIL', 'JIRA_TOKEN', 'SLACK_URL']);
    expect(names).not.toContain('https://example.atlassian.net');
  });

  it('adds the environment’s SSH key secret, only for that environment', () => {
    const config = validateConfigObject(rawConfig(), { baseDir: '/srv/app' });
    const [first, second] = config.environments;
    const withKey = {
      ...config,
      environments: [{ ...first!, sshKeySecret: 'DEPLOY_KEY' }, ...(second ? [second] : [])],
    };
    expect([...coordinatorSecretNames(withKey, first!.name)]).toEqual(['DEPLOY_KEY']);
    if (second) expect([...coordinatorSecretNames(withKey, second.name)]).toEqual([]);
  });

  it('names the variables of the coordinator that env: references of Slipway itself read', () => {
    const config = validateConfigObject(rawConfig(), { baseDir: '/srv/app' });
    const withRefs = {
      ...config,
      triggers: { github: { secret: 'env:GITHUB_WEBHOOK_SECRET', rules: [] } },
      sso: { clientSecret: 'env:OIDC_CLIENT_SECRET' } as never,
    };
    expect([...coordinatorEnvNames([config, withRefs])].sort()).toEqual([
      'GITHUB_WEBHOOK_SECRET',
      'OIDC_CLIENT_SECRET',
    ]);
  });
});
