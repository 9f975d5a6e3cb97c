import { describe, expect, it } from 'vitest';
import { renderHistory } from './commands/history.js';
import { renderStatus } from './commands/status.js';
import type { DeploymentView } from './follow.js';
import { summary } from './progress.js';
import { stateText, stateWord } from './state-word.js';

const rolledBack = {
  id: 'dep_1',
  project: 'harbor',
  service: 'quote-api',
  environment: 'staging',
  kind: 'deploy',
  state: 'rolled_back',
  strategy: 'canary',
  from: { id: 'rel_1', version: '1.0.0' },
  to: { id: 'rel_2', version: '1.1.0' },
  step: 1,
  steps: [{ kind: 'start', description: 'start 2 instances', status: 'done', step: {} }],
  reason: 'analysis failed: errors 20 % vs 0 %',
  createdAt: '2026-12-07T10:00:00.000Z',
  startedAt: '2026-12-07T10:00:00.000Z',
  finishedAt: '2026-12-07T10:01:00.000Z',
  updatedAt: '2026-12-07T10:01:00.000Z',
} as unknown as DeploymentView;

const status = renderStatus({
  project: 'harbor',
  dataPlane: { healthy: true, kind: 'builtin' },
  environments: [
    {
      name: 'staging',
      listen: ':8080',
      url: 'http://localhost:8080',
      rollout: null,
      services: [
        {
          service: 'quote-api',
          stable: '1.0.0',
          previous: null,
          traffic: [],
          instances: [],
          activeDeployment: null,
          lastDeployment: rolledBack,
        },
      ],
    },
  ],
} as unknown as Parameters<typeof renderStatus>[0]);

describe('states in human output', () => {
  it('are words (`rolled back`), coloured by how it went', () => {
    expect(stateText('rolled_back')).toBe('rolled back');
    expect(stateText('succeeded')).toBe('succeeded');
    expect(stateWord('rolled_back')).toContain('rolled back');
    expect(stateWord('rolled_back')).not.toContain('_');
  });

  it('status (its table and the last deployment line), history and the deploy summary say `rolled back`', () => {
    expect(status).toMatch(/rolled back \S+ ago dep_1/);
    expect(status).toContain('quote-api: last deployment rolled back: analysis failed');
    expect(renderHistory([rolledBack])).toMatch(/canary\s+rolled back\s/);
    expect(summary(rolledBack)).toContain('rolled back');
    for (const out of [status, renderHistory([rolledBack]), summary(rolledBack)])
      expect(out).not.toContain('rolled_back');
  });
});
