import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { parseConfig } from './load.js';

/** Durations in slipway.yaml need a unit (a bare number is ambiguous) and stay within 366 days. */
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
      { path: 'services.api.drainTimeout', message: 'must be at most 366d', line: 7 },
    ]);
    expect(issuesOf(config('367d'))).toHaveLength(1);
    expect(issuesOf(config('366d'))).toEqual([]);
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
