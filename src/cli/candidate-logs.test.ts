import { describe, expect, it } from 'vitest';
import { renderCandidateLog } from './candidate-logs.js';
import type { DeploymentView } from './follow.js';

describe('renderCandidateLog', () => {
  const d = { to: { id: 'rel_2', version: '1.2.0' } } as DeploymentView;

  it('puts the lines under a heading, escaped: an application prints whatever it likes', () => {
    const out = renderCandidateLog(d, ['listening', `bad \u001b[2J input`]);
    expect(out).toBe('  last log lines of 1.2.0:\n    │ listening\n    │ bad \\u001b[2J input');
  });

  it('says nothing when there are no lines', () => {
    expect(renderCandidateLog(d, [])).toBe('');
  });
});
