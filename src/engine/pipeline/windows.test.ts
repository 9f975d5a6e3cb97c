import { describe, expect, it } from 'vitest';
import type { DeploymentWindow } from '../../config/model.js';
import { describeWindow, inWindow, nextWindow, outsideWindows } from './windows.js';

// Oslo is UTC+1 in winter, UTC+2 in summer.
const office: DeploymentWindow = { days: [1, 2, 3, 4, 5], from: '09:00', to: '16:00', timezone: 'Europe/Oslo' };
const at = (iso: string) => new Date(iso);

describe('deployment windows', () => {
  it('is open on weekdays between from and to, local time (from inclusive, to exclusive)', () => {
    expect(inWindow([office], at('2026-12-04T08:00:00Z'))).toBe(true); // Friday 09:00 Oslo
    expect(inWindow([office], at('2026-12-04T07:59:59Z'))).toBe(false);
    expect(inWindow([office], at('2026-12-04T14:59:59Z'))).toBe(true);
    expect(inWindow([office], at('2026-12-04T15:00:00Z'))).toBe(false); // 16:00 Oslo
    expect(inWindow([office], at('2026-12-05T10:00:00Z'))).toBe(false); // Saturday
    expect(inWindow([office], at('2026-07-03T07:30:00Z'))).toBe(true); // Friday 09:30 in summer time
    expect(inWindow([], at('2026-12-05T10:00:00Z'))).toBe(true);
  });

  it('names the next opening: Friday evening → Monday 09:00 Oslo', () => {
    expect(nextWindow([office], at('2026-12-04T17:00:00Z'))).toEqual({
      opensAt: at('2026-12-07T08:00:00Z'),
      closesAt: at('2026-12-07T15:00:00Z'),
      window: 'mon-fri 09:00-16:00 Europe/Oslo',
    });
    const refused = outsideWindows({ name: 'production', windows: [office] }, at('2026-12-04T17:00:00Z'));
    expect(refused?.message).toMatch(
      /production takes deployments only in its windows .* next opens at 2026-12-07T08:00:00\.000Z/,
    );
  });

  it('takes the soonest of several windows, and 24:00 closes at midnight', () => {
    const weekend: DeploymentWindow = { days: [0, 6], from: '20:00', to: '24:00', timezone: 'UTC' };
    expect(nextWindow([office, weekend], at('2026-12-04T17:00:00Z'))?.opensAt).toEqual(at('2026-12-05T20:00:00Z'));
    expect(inWindow([weekend], at('2026-12-05T23:59:00Z'))).toBe(true);
    expect(inWindow([weekend], at('2026-12-06T00:00:00Z'))).toBe(false);
    expect(describeWindow(weekend)).toBe('sun,sat 20:00-24:00 UTC');
  });
});
