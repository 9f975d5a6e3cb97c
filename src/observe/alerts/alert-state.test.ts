import { describe, expect, it } from 'vitest';
import { type ActiveAlert, advance, dueForAnnouncement, type Observation } from './alert-state.js';

const id = {
  fingerprint: 'f1',
  rule: 'api-latency-p95',
  severity: 'critical' as const,
  labels: { alertname: 'api-latency-p95' },
  groupKey: 'p/staging/api',
};
const rule = { forMs: 30_000, keepFiringForMs: 60_000 };
const high: Observation = { breached: true, value: 80, threshold: 40 };
const low: Observation = { breached: false, value: 20, threshold: 40 };

/** Feed observations every 10 s; the transitions seen, in order. */
function run(seen: Observation[], r = rule): { transitions: string[]; last: ActiveAlert | undefined } {
  let alert: ActiveAlert | undefined;
  const transitions: string[] = [];
  seen.forEach((o, i) => {
    const { next, transition } = advance(alert, o, r, i * 10_000, id);
    if (transition) transitions.push(`${i}:${transition}`);
    alert = next;
  });
  return { transitions, last: alert };
}

describe('advance (pending → firing → resolved)', () => {
  it('fires only once the breach has held for `for`', () => {
    const { transitions, last } = run([high, high, high, high]);
    expect(transitions).toEqual(['0:pending', '3:firing']);
    expect(last).toMatchObject({ state: 'firing', activeSince: 0, firedAt: 30_000, value: 80, threshold: 40 });
  });

  it('a pending alert that clears is dropped without firing', () => {
    expect(run([high, high, low, high]).transitions).toEqual(['0:pending', '2:cleared', '3:pending']);
  });

  it('keeps firing for keepFiringFor after the condition clears, then resolves', () => {
    const { transitions } = run([high, high, high, high, low, low, low, low, low, low, low]);
    // Last breach at round 3 (30 s); resolved at the first round ≥ 60 s later (round 9).
    expect(transitions).toEqual(['0:pending', '3:firing', '9:resolved']);
  });

  it('a breach during keepFiringFor keeps it firing without a new transition (no flapping)', () => {
    const { transitions } = run([high, high, high, high, low, high, low, low, low, low, low, low]);
    expect(transitions).toEqual(['0:pending', '3:firing', '11:resolved']);
  });

  it('for: 0 fires on the first breach', () => {
    expect(run([high], { forMs: 0, keepFiringForMs: 0 }).transitions).toEqual(['0:firing']);
  });

  it('a failed reading (nothing usable) clears like a reading within bounds', () => {
    const { transitions } = run([high, high, high, high, { breached: false }], { forMs: 30_000, keepFiringForMs: 0 });
    expect(transitions).toEqual(['0:pending', '3:firing', '4:resolved']);
  });
});

describe('dueForAnnouncement', () => {
  const firing: ActiveAlert = {
    ...id,
    state: 'firing',
    activeSince: 0,
    firedAt: 0,
    lastBreachAt: 0,
    value: 1,
    threshold: 0,
  };
  it('announces a firing alert once, then every repeat interval', () => {
    expect(dueForAnnouncement(firing, 0, 3_600_000)).toBe(true);
    const told = { ...firing, lastNotifiedAt: 0 };
    expect(dueForAnnouncement(told, 3_599_999, 3_600_000)).toBe(false);
    expect(dueForAnnouncement(told, 3_600_000, 3_600_000)).toBe(true);
  });
  it('never while muted or pending', () => {
    expect(dueForAnnouncement({ ...firing, mutedBy: 'silence s1' }, 0, 1000)).toBe(false);
    expect(dueForAnnouncement({ ...firing, state: 'pending' }, 0, 1000)).toBe(false);
  });
});
