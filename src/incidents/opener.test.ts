import { describe, expect, it } from 'vitest';
import { deploymentIncidentTitle } from './opener.js';

const d = { service: 'web', environment: 'production', version: '3.0.0' };

describe('deploymentIncidentTitle', () => {
  it('says failed for a candidate that never served, rolled back for one that did', () => {
    const failed = { source: 'rollback' as const, outcome: 'failed' as const, reason: 'instance ins_1 unhealthy' };
    expect(deploymentIncidentTitle(d, failed)).toBe(
      'web 3.0.0 failed before serving traffic in production: instance ins_1 unhealthy',
    );
    const rolledBack = { source: 'rollback' as const, outcome: 'rolled_back' as const, reason: 'canary failed' };
    expect(deploymentIncidentTitle(d, rolledBack)).toBe(
      'web 3.0.0 was rolled back automatically in production: canary failed',
    );
    expect(deploymentIncidentTitle(d, { source: 'watch', reason: 'p95 up' })).toBe(
      'web 3.0.0 regressed after its rollout in production: p95 up',
    );
  });

  it('cuts a long reason at a word, with an ellipsis', () => {
    const title = deploymentIncidentTitle(d, { source: 'deployment', reason: `gate failed: ${'word '.repeat(80)}` });
    expect(title.length).toBeLessThanOrEqual(300);
    expect(title).toMatch(/^web 3\.0\.0 failed to deploy in production: gate failed: (word )+word…$/);
  });
});
