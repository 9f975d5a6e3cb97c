import { describe, expect, it } from 'vitest';
import { renderHistory } from './commands/history.js';
import { deploymentView, oneServiceStatus } from '../../test/support/cli-views.js';
import { summary } from './progress.js';
import { stateText, stateWord } from './state-word.js';

const rolledBack = deploymentView({
  environment: 'staging',
  state: 'rolled_back',
  step: 1,
  steps: [{ kind: 'start', description: 'start 2 instances', status: 'done', step: {} }],
  reason: 'analysis failed: errors 20 % vs 0 %',
  finishedAt: '2026-12-07T10:01:00.000Z',
  updatedAt: '2026-12-07T10:01:00.000Z',
});

const status = oneServiceStatus(null, rolledBack, 'staging');

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
