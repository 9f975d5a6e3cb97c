import { describe, expect, it } from 'vitest';
import { issuesFor, rawConfig } from '../../test/support/config.js';
import { validateConfigObject } from './validate.js';

describe('promotion rules and freezes in slipway.yaml', () => {
  it('accepts requires, soak and both kinds of freeze, normalised', () => {
    const raw = rawConfig();
    raw.environments.production = {
      listen: '127.0.0.1:8082',
      requires: ['staging'],
      soak: '30m',
      freezes: [
        { cron: '0 16 * * 5', duration: '64h', timezone: 'Europe/London', message: 'weekend' },
        { from: '2026-12-20T00:00:00Z', until: '2027-01-03T00:00:00Z', message: 'holidays' },
      ],
    };
    const production = validateConfigObject(raw, { baseDir: '/srv/app' }).environments[1]!;
    expect(production).toMatchObject({
      requires: ['staging'],
      soakMs: 1_800_000,
      freezes: [
        {
          kind: 'recurring',
          cron: '0 16 * * 5',
          durationMs: 64 * 3_600_000,
          timezone: 'Europe/London',
          message: 'weekend',
        },
        {
          kind: 'once',
          from: Date.parse('2026-12-20T00:00:00Z'),
          until: Date.parse('2027-01-03T00:00:00Z'),
          message: 'holidays',
        },
      ],
    });
  });

  it('names every problem with its key path', () => {
    const raw = rawConfig();
    raw.environments.staging.requires = ['production', 'qa'];
    raw.environments.production.freezes = [
      { cron: '61 * * * *', duration: '1h', message: 'bad minute' },
      { cron: '0 9 * * 1', duration: '1h', timezone: 'Mars/Olympus', message: 'bad zone' },
      { from: '2027-01-03T00:00:00Z', until: '2026-12-20T00:00:00Z', message: 'backwards' },
      { cron: '0 9 * * 1', from: '2026-12-20T00:00:00Z', message: 'both' },
    ];
    expect(issuesFor(raw)).toEqual([
      {
        path: 'environments.staging.requires[0]',
        message: '"production" comes after "staging" in the promotion order (environments are listed first to last)',
      },
      { path: 'environments.staging.requires[1]', message: 'unknown environment "qa"' },
      {
        path: 'environments.production.freezes[0].cron',
        message: expect.stringMatching(/^invalid cron expression "61 \* \* \* \*": .*minute/),
      },
      {
        path: 'environments.production.freezes[1].timezone',
        message: 'unknown time zone "Mars/Olympus" (expected an IANA name like Europe/London)',
      },
      {
        path: 'environments.production.freezes[2].until',
        message: 'until (2026-12-20T00:00:00Z) must be after from (2027-01-03T00:00:00Z)',
      },
      {
        path: 'environments.production.freezes[3]',
        message: 'a freeze is either recurring (cron + duration) or one-off (from + until)',
      },
    ]);
  });
});
