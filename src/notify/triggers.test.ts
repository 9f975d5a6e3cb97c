import { describe, expect, it } from 'vitest';
import { triggerOf } from './triggers.js';

describe('triggerOf', () => {
  it('a failure is announced once: when the rollback begins, not again when it ends failed', () => {
    expect(triggerOf({ kind: 'deployment.rolling_back', data: { outcome: 'failed' } })).toBe('on-deployment-failed');
    expect(triggerOf({ kind: 'deployment.finished', data: { state: 'failed', afterRollback: true } })).toBeUndefined();
  });

  it('a deployment that failed without a rollback, or whose rollback restored the stable release, is announced', () => {
    expect(triggerOf({ kind: 'deployment.finished', data: { state: 'failed' } })).toBe('on-deployment-failed');
    expect(triggerOf({ kind: 'deployment.finished', data: { state: 'rolled_back', afterRollback: true } })).toBe(
      'on-deployment-rolled-back',
    );
    expect(triggerOf({ kind: 'deployment.finished', data: { state: 'succeeded' } })).toBe('on-deployment-succeeded');
  });

  it('a scheduled deployment that could not start: those told of it, else on-deployment-failed', () => {
    const failed = (noticed: boolean) => ({ kind: 'deployment.schedule.failed', data: { noticed } });
    expect(triggerOf(failed(true))).toBe('on-maintenance-notice');
    expect(triggerOf(failed(false))).toBe('on-deployment-failed');
  });
});
