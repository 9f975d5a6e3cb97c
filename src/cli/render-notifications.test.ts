import { describe, expect, it } from 'vitest';
import { renderNotifications } from './render-notifications.js';

const delivery = {
  id: 7,
  trigger: 'on-deployment-started',
  target: 'ops',
  type: 'slack',
  environment: 'staging',
  service: 'quote-api',
  title: 'quote-api 1.2.0 to staging',
  state: 'sent',
  attempts: 1,
  createdAt: '2026-12-07T10:00:00.000Z',
};

describe('slipway notifications', () => {
  it('shows each trigger as slipway.yaml names it', () => {
    const row = renderNotifications({ notifications: [delivery] }).split('\n')[1]!;
    expect(row.split(/ {2,}/)[2]).toBe('on-deployment-started');
  });

  it('ends with a newline, notes under the table or not', () => {
    expect(renderNotifications({ notifications: [delivery] }).endsWith('\n')).toBe(true);
  });

  it('says none where it looked, and gives the advice about subscriptions only when there are none at all', () => {
    expect(renderNotifications({ notifications: [] }, { environment: 'staging' })).toBe(
      'no notifications in staging\n',
    );
    expect(renderNotifications({ notifications: [] }, { failedOnly: true, environment: 'staging' })).toBe(
      'no failed notifications in staging\n',
    );
    expect(renderNotifications({ notifications: [] })).toMatch(/^no notifications yet: subscriptions in slipway\.yaml/);
  });

  it('shows tries against the limit, and when a failed one last tried and how often', () => {
    const failed = {
      ...delivery,
      state: 'failed',
      attempts: 4,
      maxAttempts: 4,
      lastError: 'HTTP 503: upstream down',
      lastAttemptAt: new Date(Date.now() - 120_000).toISOString(),
    };
    const out = renderNotifications({ notifications: [failed] });
    expect(out.split('\n')[1]!.split(/ {2,}/)[6]).toBe('4/4');
    expect(out).toContain('#7 failed 2m ago after 4 tries: HTTP 503: upstream down\n');
  });
});
