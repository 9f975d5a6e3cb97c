import { describe, expect, it } from 'vitest';
import { issuesFor, rawConfig } from '../../test/support/config.js';

describe('schema messages', () => {
  it('says "at least 1 item", not "1 items"', () => {
    const raw = rawConfig();
    raw.notifications = { services: { chat: { type: 'slack', url: 'secret:S' } }, subscriptions: [] };
    raw.notifications.subscriptions = [{ on: ['on-deployment-failed'], to: [] }];
    expect(issuesFor(raw)).toEqual([
      expect.objectContaining({ path: 'notifications.subscriptions[0].to', message: 'must have at least 1 item' }),
    ]);
  });

  it('shows a single value written where a list belongs as a list', () => {
    const raw = rawConfig();
    raw.notifications = { services: { chat: { type: 'slack', url: 'secret:S' } } };
    raw.notifications.subscriptions = [{ on: ['on-deployment-failed'], to: 'chat' }];
    expect(issuesFor(raw)).toEqual([
      expect.objectContaining({
        path: 'notifications.subscriptions[0].to',
        message: 'expected a list; write it as a list: to: [chat]',
      }),
    ]);
  });

  it('suggests the allowed value a misspelt one is close to', () => {
    const raw = rawConfig();
    raw.services.api.strategy = { type: 'canry' };
    expect(issuesFor(raw)).toEqual([
      expect.objectContaining({
        path: 'services.api.strategy.type',
        message: 'expected one of blue-green, rolling, canary (did you mean "canary"?)',
      }),
    ]);
  });
});
