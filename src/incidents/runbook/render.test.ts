import { describe, expect, it } from 'vitest';
import { validateConfigObject } from '../../config/validate.js';
import { renderRunbook, runbookDifference } from './render.js';

function config(overrides: { maxErrorRate?: string; approvers?: string[]; services?: string[] } = {}) {
  return validateConfigObject(
    {
      project: 'harbor',
      database: { url: 'postgres://app:s3cret-pw@127.0.0.1/harbor', service: 'api', revertOnRollback: true },
      environments: {
        staging: { listen: '127.0.0.1:18081' },
        production: {
          listen: '127.0.0.1:18082',
          requires: ['staging'],
          soak: '30m',
          approvals: { required: 2, approvers: overrides.approvers ?? ['dana', 'role:approver'], expiresAfter: '30d' },
          watch: { for: '10m', onRegression: 'alert' },
          freezes: [
            { cron: '0 16 * * 5', duration: '64h', timezone: 'Europe/Oslo', message: 'weekend freeze: ask #releases' },
            { from: '2026-12-20T00:00:00Z', until: '2027-01-02T00:00:00Z', message: 'holidays | on call only' },
          ],
        },
      },
      services: {
        ...Object.fromEntries(
          (overrides.services ?? []).map((name) => [
            name,
            { command: 'node', args: [`${name}.js`], route: { pathPrefix: `/${name}` } },
          ]),
        ),
        api: {
          command: 'node',
          args: ['server.js'],
          env: { API_KEY: 'do-not-print-me' },
          health: { path: '/healthz' },
          strategy: {
            type: 'canary',
            steps: [{ setWeight: 10 }, { analyze: { for: '1m' } }],
            analysis: { triggers: { maxErrorRate: overrides.maxErrorRate ?? '2%' } },
          },
        },
      },
    },
    { baseDir: '/srv/harbor' },
  );
}

describe('the runbook', () => {
  it('per environment and service: state, exact rollback commands, approvers, the thresholds that roll back', () => {
    const text = renderRunbook(config());
    expect(text).toContain('## Environment: production');
    expect(text).toContain('### Service: api in production');
    expect(text).toContain('slipway rollback api --env production');
    expect(text).toContain('slipway abort api --env production --reason "…"');
    expect(text).toContain('slipway status --env staging');
    expect(text).toContain(
      '| production | staging, at least 30m before (soak) | 2 of dana, role:approver (not the requester), valid 30d |',
    );
    expect(text).toContain('- error rate above 5× the stable baseline, or above 2 %');
    expect(text).toContain('Every release is watched for 10m after its rollout; a regression is reported');
    expect(text).toContain('Its expand migrations are reverted on rollback');
    expect(text).not.toMatch(/s3cret|do-not-print-me|postgres:\/\//);
    // No dates: the same config writes the same text.
    expect(renderRunbook(config())).toBe(text);
  });

  it('freezes: each with its message, and the override with the deploy command’s real flags', () => {
    const text = renderRunbook(config());
    expect(text).toContain(
      '| every Friday at 16:00 Europe/Oslo, for 64h (`0 16 * * 5`): weekend freeze: ask #releases; ' +
        '2026-12-20T00:00:00.000Z → 2027-01-02T00:00:00.000Z: holidays \\| on call only |',
    );
    expect(text).toContain('A deployment inside a freeze needs `--emergency --reason "…"` (admins only)');
    expect(text).not.toContain('--emergency "reason"');
  });

  it('a changed threshold or approver list is a difference at its line', () => {
    const committed = renderRunbook(config());
    expect(runbookDifference(committed, renderRunbook(config()))).toBeUndefined();
    expect(runbookDifference(committed.replace(/\n/g, '\r\n'), committed)).toBeUndefined();
    const changed = runbookDifference(committed, renderRunbook(config({ maxErrorRate: '5%' })));
    expect(changed?.expected).toContain('or above 5 %');
    expect(changed?.committed).toContain('or above 2 %');
    expect(committed.split('\n')[changed!.line - 1]).toBe(changed!.committed);
    expect(runbookDifference(committed, renderRunbook(config({ approvers: ['dana', 'marcus'] })))?.expected).toContain(
      '2 of dana, marcus (not',
    );
  });

  it('durations as the config writes them, and 0 where it means at once', () => {
    const text = renderRunbook(config());
    expect(text).toContain('- health: /healthz every 1s, unhealthy after 3 failures, start within 1m');
    expect(text).not.toMatch(/\d+\.\d+s\b|\d+h\d\dm|\d+m\d\ds/); // not 30.0s, 720h00m, 10m00s
    // A rule with `for: 0` fires at once, and one without keep_firing_for stops firing at once: not "0ms".
    expect(text).toMatch(/\| tls-certificate-expiry \| .* \| immediately \| no \|/);
    expect(text).not.toMatch(/\b0ms\b/);
  });

  it('rollback --release only where a release of the whole project can exist, saying when it applies', () => {
    expect(renderRunbook(config())).not.toContain('rollback --release');
    expect(renderRunbook(config({ services: ['web'] }))).toContain(
      'slipway rollback --release --env production   # after `slipway release`: every service of that release',
    );
  });

  it('an extra line at the end of the committed file is a difference with the end of the config’s', () => {
    const expected = renderRunbook(config());
    const lines = expected.split('\n').length;
    expect(runbookDifference(`${expected}extra\n`, expected)).toEqual({
      line: lines,
      committed: 'extra',
      expected: '(end of file)',
    });
  });
});
