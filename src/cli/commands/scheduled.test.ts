import { describe, expect, it } from 'vitest';
import { renderScheduled } from './scheduled.js';

const row = {
  id: 'sch_1',
  service: 'quote-api',
  environment: 'staging',
  version: '1.2.0',
  at: '2026-12-08T22:00:00.000Z',
  notifyBeforeMs: 3_600_000,
};

describe('slipway scheduled', () => {
  it('a cancelled one shows who cancelled it and why; a started one its deployment; a failed one its error', () => {
    const out = renderScheduled([
      { ...row, state: 'cancelled', cancelledBy: 'dana', cancelReason: 'the demo moved to Friday' },
      { ...row, id: 'sch_2', state: 'cancelled' },
      { ...row, id: 'sch_3', state: 'started', deployment: 'dep_9' },
      { ...row, id: 'sch_4', state: 'failed', error: 'missed by 20m' },
    ]);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/STATE\s+DEPLOYMENT \/ ERROR \/ REASON$/);
    expect(lines[1]).toMatch(/cancelled\s+by dana: the demo moved to Friday$/);
    expect(lines[2]).toMatch(/cancelled$/);
    expect(lines[3]).toMatch(/started\s+dep_9$/);
    expect(lines[4]).toMatch(/failed\s+missed by 20m$/);
  });

  it('one waiting behind a running deployment says so, with the deployment and when it gives up', () => {
    const waiting = { behind: 'dep_7', since: '2026-12-08T22:00:00.000Z', until: '2026-12-08T23:00:00.000Z' };
    const out = renderScheduled([
      { ...row, state: 'pending', waiting },
      { ...row, id: 'sch_2', state: 'pending' },
    ]);
    const lines = out.trimEnd().split('\n');
    expect(lines[1]).toMatch(
      /waiting\s+behind dep_7 since 2026-12-08T22:00:00.000Z; gives up at 2026-12-08T23:00:00.000Z$/,
    );
    expect(lines[2]).toMatch(/pending$/);
  });

  it('a reason with control characters shows them escaped, on its one row', () => {
    const out = renderScheduled([{ ...row, state: 'cancelled', cancelReason: 'moved\n\u001b[2Jaway' }]);
    expect(out.trimEnd().split('\n')).toHaveLength(2);
    expect(out).toContain('moved\\n\\u001b[2Jaway');
  });
});

describe('slipway scheduled: the notice', () => {
  it('--notify-before 0 shows as "at its time", not 0ms', () => {
    const lines = renderScheduled([{ ...row, notifyBeforeMs: 0, state: 'pending' }])
      .trimEnd()
      .split('\n');
    expect(lines[1]).toMatch(/2026-12-08T22:00:00.000Z\s+at its time\s+pending/);
    expect(renderScheduled([{ ...row, state: 'pending' }])).toMatch(/Z\s+1h00m\s+pending/);
  });

  it('says when the notice has gone out', () => {
    const sent = renderScheduled([{ ...row, state: 'pending', noticedAt: '2026-12-08T21:00:00.000Z' }]);
    expect(sent).toMatch(/Z\s+1h00m \(sent\)\s+pending/);
  });
});
