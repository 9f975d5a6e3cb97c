import { describe, expect, it } from 'vitest';
import { finishMessage } from './finish-message.js';

const base = { service: 'web', environment: 'staging', reason: 'canary analysis failed: error rate\nmore' };

describe('finishMessage', () => {
  it('a deployment that succeeded names the release it is on', () => {
    expect(finishMessage({ ...base, kind: 'deploy', state: 'succeeded' }, { from: '1.0.0', to: '2.0.0' })).toBe(
      'deployment succeeded: web is on 2.0.0 in staging',
    );
  });
  it('a rollback that completed says the service is back on the earlier release, not "succeeded … new release"', () => {
    const m = finishMessage({ ...base, kind: 'rollback', state: 'succeeded' }, { from: '2.0.0', to: '1.0.0' });
    expect(m).toBe('rollback done: web is back on 1.0.0 in staging');
    expect(m).not.toMatch(/succeeded|new release/);
  });
  it('rolled back and failed give the first line of the reason', () => {
    expect(finishMessage({ ...base, kind: 'deploy', state: 'rolled_back' }, {})).toBe(
      'deployment rolled back: canary analysis failed: error rate',
    );
    expect(finishMessage({ ...base, kind: 'deploy', state: 'failed' }, {})).toBe(
      'deployment failed: canary analysis failed: error rate',
    );
    expect(finishMessage({ ...base, kind: 'rollback', state: 'failed' }, {})).toMatch(/^rollback failed: /);
  });
});
