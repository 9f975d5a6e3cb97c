import { describe, expect, it } from 'vitest';
import { incidentDurations } from '../model/incident.js';
import { transition } from './lifecycle.js';

const t0 = new Date('2026-12-04T02:00:00Z');
const t1 = new Date('2026-12-04T02:04:00Z');
const t2 = new Date('2026-12-04T02:19:00Z');
const triggered = { id: 'inc_1', state: 'triggered' as const };

describe('incident lifecycle', () => {
  it('acknowledge: triggered → acknowledged, the acknowledger owns it unless an owner is named', () => {
    expect(transition(triggered, { kind: 'acknowledge', by: 'dana', at: t1 })).toEqual({
      ok: true,
      changes: { state: 'acknowledged', acknowledgedAt: t1, acknowledgedBy: 'dana', owner: 'dana' },
    });
    const named = transition(triggered, { kind: 'acknowledge', by: 'dana', at: t1, owner: 'tomas' });
    expect(named.ok && named.changes.owner).toBe('tomas');
  });

  it('resolve from acknowledged or straight from triggered, with the resolution kept', () => {
    const acked = { ...triggered, state: 'acknowledged' as const, owner: 'dana' };
    expect(transition(acked, { kind: 'resolve', by: 'tomas', at: t2, resolution: 'rolled back' })).toEqual({
      ok: true,
      changes: { state: 'resolved', resolvedAt: t2, resolvedBy: 'tomas', resolution: 'rolled back', owner: 'dana' },
    });
    const direct = transition(triggered, { kind: 'resolve', by: 'tomas', at: t2 });
    expect(direct.ok && direct.changes.state).toBe('resolved');
  });

  it('refuses to resolve a resolved incident, naming who resolved it and when', () => {
    const resolved = { ...triggered, state: 'resolved' as const, resolvedBy: 'dana', resolvedAt: t2 };
    expect(transition(resolved, { kind: 'resolve', by: 'tomas', at: t2 })).toEqual({
      ok: false,
      reason:
        'incident inc_1 is already resolved (by dana at 2026-12-04T02:19:00.000Z); open a new one if the problem ' +
        'is back. It has no resolution yet: add what fixed it with slipway incident resolve inc_1 --resolution "…"',
    });
    expect(transition(resolved, { kind: 'acknowledge', by: 'tomas', at: t2 }).ok).toBe(false);
  });

  it('adds the resolution to an incident resolved without one, and only the resolution', () => {
    const resolved = { ...triggered, state: 'resolved' as const, resolvedBy: 'dana', resolvedAt: t2 };
    expect(transition(resolved, { kind: 'resolve', by: 'tomas', at: t2, resolution: 'FAIL_RATE unset' })).toEqual({
      ok: true,
      changes: { resolution: 'FAIL_RATE unset' },
    });
    // One it has is not replaced, and resolving again without one is still refused.
    const withOne = { ...resolved, resolution: 'rolled back' };
    expect(transition(withOne, { kind: 'resolve', by: 'tomas', at: t2, resolution: 'other' })).toEqual({
      ok: false,
      reason:
        'incident inc_1 is already resolved (by dana at 2026-12-04T02:19:00.000Z); open a new one if the problem ' +
        'is back',
    });
  });

  it('refuses a second acknowledgement, naming the owner', () => {
    const acked = { ...triggered, state: 'acknowledged' as const, acknowledgedBy: 'dana', acknowledgedAt: t1 };
    const r = transition({ ...acked, owner: 'dana' }, { kind: 'acknowledge', by: 'tomas', at: t2 });
    expect(r).toEqual({
      ok: false,
      reason: 'incident inc_1 is already acknowledged (by dana at 2026-12-04T02:04:00.000Z; owner dana)',
    });
  });

  it('time to acknowledge and time to resolve, only once they happened', () => {
    expect(incidentDurations({ openedAt: t0 })).toEqual({});
    expect(incidentDurations({ openedAt: t0, acknowledgedAt: t1, resolvedAt: t2 })).toEqual({
      timeToAcknowledgeMs: 4 * 60_000,
      timeToResolveMs: 19 * 60_000,
    });
  });
});
