import { describe, expect, it } from 'vitest';
import type { EventView } from '../follow.js';
import { isControl } from '../output.js';
import { progressPrinter, summary } from '../progress.js';
import { componentLine, rolloutSummary } from '../render-rollout.js';
import { renderHistory } from './history.js';
import { deploymentView, oneServiceStatus } from '../../../test/support/cli-views.js';

const esc = '\u001b';
/** Any control character but the newlines that end lines: what would act on a terminal instead of showing. */
const hasControl = (text: string) => [...text].some((c) => c !== '\n' && isControl(c.charCodeAt(0)));

describe('reasons people typed, printed outside tables', () => {
  it('status shows an emergency and a pause with their control characters escaped', () => {
    const out = oneServiceStatus(
      deploymentView({
        emergency: { reason: `CVE hotfix ${esc}[2J${esc}]0;owned\u0007`, by: 'admin' },
        paused: { reason: `look ${esc}[31mfirst`, at: '2026-12-07T10:01:00.000Z' },
        reason: `aborted: ${esc}[5mnow\nsecond line`,
      }),
      null,
    );
    expect(hasControl(out)).toBe(false);
    expect(out).toContain('emergency: CVE hotfix \\u001b[2J\\u001b]0;owned\\u0007');
    expect(out).toContain('paused: look \\u001b[31mfirst');
    expect(out).toMatch(/reason: aborted: \\u001b\[5mnow$/m);
  });

  it("status escapes a finished deployment's reason", () => {
    const out = oneServiceStatus(null, deploymentView({ state: 'failed', reason: `rolled back ${esc}[31mred` }));
    expect(hasControl(out)).toBe(false);
    expect(out).toContain('rolled back \\u001b[31mred');
  });

  it('history marks an emergency in the reason column, escaped', () => {
    const out = renderHistory([deploymentView({ state: 'succeeded', emergency: { reason: `hotfix${esc}[2J` } })]);
    expect(hasControl(out)).toBe(false);
    expect(out.split('\n')[1]).toMatch(/EMERGENCY: hotfix\\u001b\[2J$/);
  });

  it('history says a restart after slipway down is one (the delivery figures leave it out)', () => {
    const out = renderHistory([deploymentView({ state: 'succeeded', from: null, restart: true })]);
    expect(out.split('\n')[1]).toMatch(/- → 1\.1\.0 .* restart after slipway down$/);
    expect(renderHistory([deploymentView({ state: 'succeeded' })])).not.toContain('restart');
  });

  it('deployment progress and its summary escape what people typed', () => {
    const lines: string[] = [];
    progressPrinter(Date.parse('2026-12-07T10:00:00.000Z'), (l) => lines.push(l))({
      id: 1,
      at: '2026-12-07T10:00:01.000Z',
      kind: 'deployment.started',
      message: `EMERGENCY (fix ${esc}[2J): deploying`,
      data: {},
    } as EventView);
    expect(lines.join('\n')).toContain('EMERGENCY (fix \\u001b[2J): deploying');
    const end = summary(deploymentView({ state: 'failed', reason: `aborted ${esc}[2J\nby admin` }));
    expect(hasControl(end)).toBe(false);
    expect(end).toContain('reason: aborted \\u001b[2J\nby admin');
  });

  it("a release of the whole project escapes its reasons and its components' reasons", () => {
    const component = {
      service: 'pricing',
      level: 0,
      phase: 'failed' as const,
      from: '1.0.0',
      to: '1.1.0',
      deployment: 'dep_2',
      rollback: null,
      reason: `aborted ${esc}[2J`,
    };
    expect(componentLine(component, Date.now())).toMatch(/failed: aborted \\u001b\[2J$/);
    const end = rolloutSummary({
      id: 'rol_1',
      project: 'harbor',
      environment: 'production',
      version: '1.1.0',
      state: 'failed',
      reason: `pricing failed: ${esc}]0;owned\u0007`,
      requestedBy: 'admin',
      emergency: null,
      components: [component],
      createdAt: '2026-12-07T10:00:00.000Z',
      finishedAt: '2026-12-07T10:01:00.000Z',
      watchUntil: null,
    });
    expect(hasControl(end)).toBe(false);
    expect(end).toContain('reason: pricing failed: \\u001b]0;owned\\u0007');
  });
});
