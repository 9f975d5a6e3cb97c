import { describe, expect, it } from 'vitest';
import { issuesFor, rawConfig } from '../../test/support/config.js';
import { validateConfigObject } from './validate.js';

describe('deployment windows config', () => {
  it('normalizes days to numbers (0 = Sunday) with defaults mon-fri and UTC', () => {
    const raw = rawConfig();
    raw.environments.production.windows = [{ from: '09:00', to: '16:00' }];
    const production = validateConfigObject(raw, { baseDir: '/srv/app' }).environments.find(
      (e) => e.name === 'production',
    );
    expect(production?.windows).toEqual([{ days: [1, 2, 3, 4, 5], from: '09:00', to: '16:00', timezone: 'UTC' }]);
  });

  it('names a bad day, time, zone and an empty window by key path', () => {
    const raw = rawConfig();
    raw.environments.production.windows = [
      { days: ['monday'], from: '9:00', to: '16:00', timezone: 'Europe/Olso' },
      { from: '16:00', to: '09:00' },
    ];
    const byPath = Object.fromEntries(issuesFor(raw).map((i) => [i.path, i.message]));
    expect(byPath['environments.production.windows[0].days[0]']).toMatch(/mon/);
    expect(byPath['environments.production.windows[0].from']).toMatch(/HH:MM/);
    expect(byPath['environments.production.windows[0].timezone']).toMatch(/IANA time zone/);
    expect(byPath['environments.production.windows[1].to']).toBe('to (09:00) must be after from (16:00)');
  });
});
