import { describe, expect, it } from 'vitest';
import type { DeploymentView, EventView } from '../follow.js';
import { isControl } from '../output.js';
import { progressPrinter, summary } from '../progress.js';
import { componentLine, rolloutSummary } from '../render-rollout.js';
import { renderHistory } from './history.js';
import { renderStatus } from './status.js';

const esc = '\u001b';
/** Any control character but the newlines that end lines: what would act on a terminal instead of showing. */
const hasControl = (text: string) => [...text].some((c) => c !== '\n' && isControl(c.charCodeAt(0)));

const deployment = (over: Partial<DeploymentView>): DeploymentView => ({
  id: 'dep_1',
  project: 'harbor',
  service: 'quote-api',
  environment: 'production',
  kind: 'deploy',
  state: 'running',
  strategy: 'canary',
  from: { id: 'rel_1', version: '1.0.0' },
  to: { id: 'rel_2', version: '1.1.0' },
  step: 0,
  steps: [{ kind: 'start', description: 'start 2 instances', status: 'running', step: {} }],
  trafficShifted: false,
  paused: null,
  latestVerdict: null,
  rolledBackFrom: null,
  reason: null,
  error: null,
  requestedBy: 'admin',
  emergency: null,
  request: 'none',
  watch: null,
  rollout: null,
  restart: false,
  createdAt: '2026-12-07T10:00:00.000Z',
  startedAt: '2026-12-07T10:00:00.000Z',
  finishedAt: null,
  updatedAt: '2026-12-07T10:00:00.000Z',
  ...over,
});

const status = (active: DeploymentView | null, last: DeploymentView | null) =>
  renderStatus({
    project: 'harbor',
    dataPlane: { healthy: true, kind: 'builtin' },
    environments: [
      {
        name: 'production',
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
            activeDeployment: active,
            lastDeployment: last,
          },
        ],
      },
    ],
  });

describe('reasons people typed, printed outside tables', () => {
  it('status shows an emergency and a pause with their control characters escaped', () => {
    const out = status(
      deployment({
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
    const out = status(null, deployment({ state: 'failed', reason: `rolled back ${esc}[31mred` }));
    expect(hasControl(out)).toBe(false);
    expect(out).toContain('rolled back \\u001b[31mred');
  });

  it('history marks an emergency in the reason column, escaped', () => {
    const out = renderHistory([deployment({ state: 'succeeded', emergency: { reason: `hotfix${esc}[2J` } })]);
    expect(hasControl(out)).toBe(false);
    expect(out.split('\n')[1]).toMatch(/EMERGENCY: hotfix\\u001b\[2J$/);
  });

  it('history says a restart after slipway down is one (the delivery figures leave it out)', () => {
    const out = renderHistory([deployment({ state: 'succeeded', from: null, restart: true })]);
    expect(out.split('\n')[1]).toMatch(/- → 1\.1\.0 .* restart after slipway down$/);
    expect(renderHistory([deployment({ state: 'succeeded' })])).not.toContain('restart');
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
    const end = summary(deployment({ state: 'failed', reason: `aborted ${esc}[2J\nby admin` }));
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
