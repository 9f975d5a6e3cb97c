import { describe, expect, it } from 'vitest';
import type { DeploymentWindow } from '../config/model.js';
import { waitLimit } from './wait.js';

// Oslo is UTC+1 in winter: the window is 08:00-15:00 UTC on weekdays.
const office: DeploymentWindow = { days: [1, 2, 3, 4, 5], from: '09:00', to: '16:00', timezone: 'Europe/Oslo' };
const hour = 3_600_000;

describe('waitLimit', () => {
  it('without deployment windows: the given bound after it began to wait', () => {
    const since = new Date('2026-12-04T10:00:00Z');
    expect(waitLimit({ windows: [] }, since, hour)).toEqual(new Date('2026-12-04T11:00:00Z'));
    expect(waitLimit(undefined, since, hour)).toEqual(new Date('2026-12-04T11:00:00Z'));
  });

  it('inside a window: when it closes, however long that is', () => {
    expect(waitLimit({ windows: [office] }, new Date('2026-12-04T10:00:00Z'), hour)).toEqual(
      new Date('2026-12-04T15:00:00Z'),
    );
    expect(waitLimit({ windows: [office] }, new Date('2026-12-04T14:50:00Z'), hour)).toEqual(
      new Date('2026-12-04T15:00:00Z'),
    );
  });

  it('outside every window (an emergency): the given bound', () => {
    expect(waitLimit({ windows: [office] }, new Date('2026-12-05T10:00:00Z'), hour)).toEqual(
      new Date('2026-12-05T11:00:00Z'),
    );
  });
});
