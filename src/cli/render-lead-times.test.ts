import { describe, expect, it } from 'vitest';
import { renderLeadTimes } from './render-lead-times.js';

describe('renderLeadTimes', () => {
  it('one row per deployment with the short commit and the lead time, then the median', () => {
    const text = renderLeadTimes({
      leadTimes: [
        {
          deployment: 'dep_1',
          service: 'api',
          environment: 'production',
          version: '6113728',
          sha: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
          committedAt: '2026-01-01T10:00:00.000Z',
          finishedAt: '2026-01-01T10:30:00.000Z',
          leadTimeMs: 1_800_000,
        },
      ],
      median: { deployments: 1, leadTimeMs: 1_800_000 },
    });
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^DEPLOYMENT\s+SERVICE\s+ENV\s+VERSION\s+COMMIT\s+COMMITTED\s+FINISHED\s+LEAD TIME$/);
    expect(lines[1]).toMatch(
      /^dep_1\s+api\s+production\s+6113728\s+6113728\s+2026-01-01T10:00:00.000Z\s+2026-01-01T10:30:00.000Z\s+30m/,
    );
    expect(lines[2]).toBe('median lead time: 30m00s over 1 deployment');
  });

  it('none yet: says where lead times come from', () => {
    expect(renderLeadTimes({ leadTimes: [], median: { deployments: 0, leadTimeMs: null } })).toMatch(
      /triggers\.github/,
    );
  });
});
