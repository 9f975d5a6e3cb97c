import { describe, expect, it } from 'vitest';
import { validateConfigObject } from '../config/validate.js';
import { nextWindowStart, refuseSchedule } from './admission.js';

const config = validateConfigObject(
  {
    project: 'harbor',
    environments: {
      production: {
        listen: '127.0.0.1:18082',
        freezes: [{ from: '2026-12-20T00:00:00Z', until: '2027-01-04T00:00:00Z', message: 'holiday freeze' }],
      },
    },
    services: { api: { command: 'node' } },
  },
  { baseDir: '/srv/harbor' },
);
const now = new Date('2026-12-04T10:00:00Z');
const req = (at: string, extra = {}) => ({
  service: 'api',
  environment: 'production',
  version: '1.4.3',
  runAt: new Date(at),
  notifyBeforeMs: 3_600_000,
  ...extra,
});

describe('refuseSchedule', () => {
  it('accepts a time outside every freeze', () => {
    expect(() => refuseSchedule(config, req('2026-12-05T22:00:00Z'), now)).not.toThrow();
  });

  it('refuses a time in a freeze, saying which and until when, unless it is an emergency', () => {
    expect(() => refuseSchedule(config, req('2026-12-24T22:00:00Z'), now)).toThrow(
      'at: 2026-12-24T22:00:00.000Z falls in a freeze of production (holiday freeze, from 2026-12-20T00:00:00.000Z ' +
        'until 2027-01-04T00:00:00.000Z); pick a time after it, or an admin schedules it with --emergency',
    );
    expect(() =>
      refuseSchedule(config, req('2026-12-24T22:00:00Z', { emergency: { reason: 'CVE fix that cannot wait' } }), now),
    ).not.toThrow();
  });

  it('refuses the past, next year and unknown names, naming the field', () => {
    expect(() => refuseSchedule(config, req('2026-12-04T09:00:00Z'), now)).toThrow(/^at: .* is in the past/);
    expect(() => refuseSchedule(config, req('2028-01-01T00:00:00Z'), now)).toThrow(/more than 366 days ahead/);
    expect(() => refuseSchedule(config, { ...req('2026-12-05T22:00:00Z'), environment: 'qa' }, now)).toThrow(
      /^environment: "qa" is not declared/,
    );
    expect(() => refuseSchedule(config, { ...req('2026-12-05T22:00:00Z'), service: 'web' }, now)).toThrow(
      /^service: "web"/,
    );
  });
});

describe('deployment windows', () => {
  const windowed = validateConfigObject(
    {
      project: 'harbor',
      environments: {
        production: {
          listen: '127.0.0.1:18082',
          windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '16:00', timezone: 'Europe/Oslo' }],
          freezes: [{ from: '2026-12-20T00:00:00Z', until: '2027-01-04T10:00:00Z', message: 'holiday freeze' }],
        },
      },
      services: { api: { command: 'node' } },
    },
    { baseDir: '/srv/harbor' },
  );

  it('refuses a time outside the windows, naming the next opening', () => {
    expect(() => refuseSchedule(windowed, req('2026-12-05T22:00:00Z'), now)).toThrow(
      /at: 2026-12-05T22:00:00.000Z is outside the deployment windows: .*next opens at 2026-12-07T08:00:00.000Z/,
    );
    expect(() => refuseSchedule(windowed, req('2026-12-07T08:30:00Z'), now)).not.toThrow();
  });

  it('next-window is the next opening no freeze covers (here: when the holiday freeze ends, mid-window)', () => {
    expect(nextWindowStart(windowed, 'production', new Date('2026-12-04T17:00:00Z'))).toEqual(
      new Date('2026-12-07T08:00:00Z'),
    );
    expect(nextWindowStart(windowed, 'production', new Date('2026-12-19T12:00:00Z'))).toEqual(
      new Date('2027-01-04T10:00:00Z'),
    );
    expect(() => nextWindowStart(config, 'production', now)).toThrow(/has no deployment windows/);
  });
});
