import { describe, expect, it } from 'vitest';
import { issuesFor, rawConfig } from '../../test/support/config.js';
import { validateConfigObject } from './validate.js';

function withServices(services: unknown) {
  const raw = rawConfig();
  raw.notifications = { services };
  return raw;
}

describe('jira and github notification services', () => {
  it('normalizes settings as they are and credentials to secret names, with defaults', () => {
    const config = validateConfigObject(
      withServices({
        tickets: {
          type: 'jira',
          site: 'https://acme.atlassian.net/',
          email: 'secret:JIRA_EMAIL',
          token: 'secret:JIRA_TOKEN',
          project: 'OPS',
          changes: { environments: ['production'] },
        },
        gh: { type: 'github', token: 'secret:GITHUB_TOKEN', repository: 'acme/harbor' },
      }),
      { baseDir: '/srv/app' },
    );
    expect(config.notifications?.services).toEqual({
      tickets: {
        type: 'jira',
        site: 'https://acme.atlassian.net',
        email: 'JIRA_EMAIL',
        token: 'JIRA_TOKEN',
        project: 'OPS',
        issueType: 'Task',
        transitions: { acknowledged: 'In Progress', resolved: 'Done' },
        changes: { environments: ['production'], issueType: 'Task' },
      },
      gh: {
        type: 'github',
        token: 'GITHUB_TOKEN',
        repository: 'acme/harbor',
        api: 'https://api.github.com',
        environmentUrls: {},
      },
    });
  });

  it('names a bad project key, a written token, an unknown environment and a bad repository by key path', () => {
    const issues = issuesFor(
      withServices({
        tickets: {
          type: 'jira',
          site: 'acme.atlassian.net',
          email: 'secret:JIRA_EMAIL',
          token: 'ATATT3xFfGF0',
          project: 'ops',
          transitions: { resolve: 'Done' },
          changes: { environments: ['prod'] },
        },
        gh: {
          type: 'github',
          token: 'secret:GITHUB_TOKEN',
          repository: 'harbor',
          environmentUrls: { staging: 'https://staging.example.com', qa: 'https://qa.example.com' },
        },
      }),
    );
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(byPath['notifications.services.tickets.site']).toMatch(/Jira site URL/);
    expect(byPath['notifications.services.tickets.token']).toMatch(/expected secret:NAME/);
    expect(byPath['notifications.services.tickets.project']).toMatch(/Jira project key/);
    expect(byPath['notifications.services.tickets.transitions.resolve']).toMatch(/did you mean "resolved"/);
    expect(byPath['notifications.services.tickets.changes.environments[0]']).toMatch(/unknown environment "prod"/);
    expect(byPath['notifications.services.gh.repository']).toMatch(/owner\/name/);
    expect(byPath['notifications.services.gh.environmentUrls.qa']).toMatch(/unknown environment "qa"/);
    expect(byPath['notifications.services.gh.environmentUrls.staging']).toBeUndefined();
  });
});
