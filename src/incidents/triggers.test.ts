import { describe, expect, it } from 'vitest';
import { effectOf } from './triggers.js';

const dep = 'dep_1';

describe('which events open incidents', () => {
  it("the judge's rollback and a failed step's open one; a person's rollback does not", () => {
    expect(
      effectOf({
        kind: 'deployment.rolling_back',
        deploymentId: dep,
        data: { reason: 'canary analysis failed: error-rate\nmore', outcome: 'rolled_back', by: 'canary judge' },
      }),
    ).toEqual({
      kind: 'open',
      source: 'rollback',
      severity: 'sev3',
      outcome: 'rolled_back',
      reason: 'canary analysis failed: error-rate',
      deploymentId: dep,
    });
    // A candidate that never got traffic (health check failed): nobody was hurt, the lowest severity.
    expect(
      effectOf({
        kind: 'deployment.rolling_back',
        deploymentId: dep,
        data: { reason: 'unhealthy', outcome: 'failed' },
      }),
    ).toMatchObject({ kind: 'open', severity: 'sev4', outcome: 'failed' });
    expect(
      effectOf({
        kind: 'deployment.rolling_back',
        deploymentId: dep,
        data: { reason: 'x', outcome: 'rolled_back', by: 'dana' },
      }),
    ).toEqual({ kind: 'none' });
  });

  it('a regressed watch (sev2) and a failed deployment (sev4) open one; a rolled back finish does not', () => {
    expect(effectOf({ kind: 'watch.regressed', deploymentId: dep, data: { reason: 'p95 up' } })).toMatchObject({
      kind: 'open',
      source: 'watch',
      severity: 'sev2',
    });
    expect(
      effectOf({ kind: 'deployment.finished', deploymentId: dep, data: { state: 'failed', reason: 'r' } }),
    ).toMatchObject({ kind: 'open', source: 'deployment', severity: 'sev4' });
    expect(effectOf({ kind: 'deployment.finished', deploymentId: dep, data: { state: 'rolled_back' } })).toEqual({
      kind: 'none',
    });
  });

  it('a critical firing alert opens one for its group; warnings and resolutions only join it', () => {
    const alert = { rule: 'error-rate-high', group: 'quote-api/staging', value: 0.12, threshold: 0.05 };
    expect(effectOf({ kind: 'alert.firing', data: { ...alert, severity: 'critical' } })).toEqual({
      kind: 'open',
      source: 'alert',
      severity: 'sev2',
      reason: 'critical alert error-rate-high: value 0.12, threshold 0.05',
      alert: { group: 'quote-api/staging', rule: 'error-rate-high' },
    });
    expect(effectOf({ kind: 'alert.firing', data: { ...alert, severity: 'warning' } })).toEqual({
      kind: 'linkAlert',
      group: 'quote-api/staging',
      rule: 'error-rate-high',
    });
    expect(effectOf({ kind: 'alert.resolved', data: { ...alert, severity: 'critical' } }).kind).toBe('linkAlert');
    expect(effectOf({ kind: 'alert.firing', data: { severity: 'critical' } })).toEqual({ kind: 'none' });
    // The alerts capability writes the group as groupKey.
    expect(effectOf({ kind: 'alert.firing', data: { rule: 'r', groupKey: 'g', severity: 'critical' } })).toMatchObject({
      kind: 'open',
      alert: { group: 'g', rule: 'r' },
    });
  });

  it('a new deployment joins an open incident of its service; other events mean nothing', () => {
    expect(effectOf({ kind: 'deployment.started', deploymentId: dep, data: {} })).toEqual({
      kind: 'linkDeployment',
      deploymentId: dep,
    });
    expect(effectOf({ kind: 'traffic.shifted', deploymentId: dep, data: {} })).toEqual({ kind: 'none' });
    expect(effectOf({ kind: 'error.issue.regressed', data: { issue: 'iss_1', release: '2.0.0' } })).toEqual({
      kind: 'linkIssue',
      issue: 'iss_1',
      release: '2.0.0',
    });
  });
});
