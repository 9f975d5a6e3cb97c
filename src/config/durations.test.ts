import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { parseConfig } from './load.js';

/**
 * Durations in slipway.yaml need a unit (a bare number is ambiguous) and stay within 366 days;
 * those waited for with one timer within 24 days.
 */
const config = (drainTimeout: string) =>
  [
    'project: harbor-quote',
    'environments:',
    '  staging: { listen: 127.0.0.1:8081 }',
    'services:',
    '  api:',
    '    command: node',
    `    drainTimeout: ${drainTimeout}`,
  ].join('\n');

function issuesOf(text: string) {
  try {
    parseConfig(text, { file: 'slipway.yaml', baseDir: '/srv/app' });
  } catch (error) {
    if (error instanceof ConfigError)
      return error.issues.map((i) => ({ path: i.path, message: i.message, line: i.line }));
    throw error;
  }
  return [];
}

describe('durations', () => {
  it('an absurd duration is refused with its key path and line', () => {
    expect(issuesOf(config('99999999999999999999d'))).toEqual([
      { path: 'services.api.drainTimeout', message: expect.stringMatching(/^must be at most 24d/), line: 7 },
    ]);
    const soak = (value: string) => `${config('30s')}\n    strategy: { type: blue-green, keepOldFor: ${value} }`;
    expect(issuesOf(soak('367d'))).toEqual([
      { path: 'services.api.strategy.keepOldFor', message: 'must be at most 366d', line: 8 },
    ]);
    expect(issuesOf(soak('366d'))).toEqual([]);
  });

  // Node fires a timer of more than 2^31-1 ms (24.8 days) after 1 ms: a 30d probe interval would probe
  // without pause, a 30d gate timeout would fail the gate at once, and PostgreSQL refuses such a lock_timeout.
  it('a duration waited for with one timer (intervals, timeouts, drains) is at most 24d', () => {
    const lines = [
      'project: harbor-quote',
      'environments:',
      '  staging:',
      '    listen: 127.0.0.1:8081',
      '    gates:',
      '      before: [{ name: unit, command: ./unit.sh, timeout: 25d }]',
      '      after: [{ name: home, path: /, timeout: 25d }]',
      'services:',
      '  api:',
      '    command: node',
      '    drainTimeout: 25d',
      '    health: { path: /healthz, interval: 25d, timeout: 25d, startTimeout: 25d }',
      '    strategy: { type: canary, analysis: { interval: 25d } }',
      'database: { lockTimeout: 25d, statementTimeout: 25d }',
    ];
    const found = issuesOf(lines.join('\n'));
    expect(found.map((i) => i.path).sort()).toEqual(
      [
        'services.api.drainTimeout',
        'services.api.health.interval',
        'services.api.health.timeout',
        'services.api.health.startTimeout',
        'services.api.strategy.analysis.interval',
        'database.lockTimeout',
        'database.statementTimeout',
        'environments.staging.gates.before[0].timeout',
        'environments.staging.gates.after[0].timeout',
      ].sort(),
    );
    for (const issue of found) expect(issue.message).toMatch(/^must be at most 24d \(/);
    const ok = issuesOf(lines.join('\n').replaceAll('25d', '24d'));
    expect(ok).toEqual([]);
  });

  it('a bare number is refused, saying to add a unit; 0 is fine', () => {
    expect(issuesOf(config('30'))).toEqual([
      {
        path: 'services.api.drainTimeout',
        message: 'needs a unit, like 30s or 30ms (a bare number is ambiguous)',
        line: 7,
      },
    ]);
    expect(issuesOf(config('"45"'))[0]?.message).toMatch(/needs a unit/);
    expect(issuesOf(config('0'))).toEqual([]);
    expect(issuesOf(config('1m30s'))).toEqual([]);
  });

  it('text that is no duration says what one looks like', () => {
    expect(issuesOf(config('soon'))[0]?.message).toBe('must be a duration like 30s, 500ms or 1m30s');
  });
});

describe('runtime.ports', () => {
  const withPorts = (ports: string) => `${config('30s')}\nruntime: { ports: ${ports} }`;
  it('takes a range of unprivileged ports', () => {
    expect(issuesOf(withPorts('{ from: 20000, to: 20999 }'))).toEqual([]);
  });
  it('refuses an upside-down range and privileged ports, naming the key', () => {
    expect(issuesOf(withPorts('{ from: 21000, to: 20000 }'))).toEqual([
      { path: 'runtime.ports.to', message: 'from must not be above to', line: 8 },
    ]);
    expect(issuesOf(withPorts('{ from: 80, to: 90 }'))[0]?.path).toBe('runtime.ports.from');
  });
});
