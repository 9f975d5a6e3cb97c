import { describe, expect, it } from 'vitest';
import { issuesFor, rawConfig } from '../../test/support/config.js';
import { parseConfig } from './load.js';
import { validateConfigObject } from './validate.js';

function withGates(gates: unknown) {
  const raw = rawConfig();
  raw.environments.staging.gates = gates;
  return raw;
}

describe('gates config', () => {
  it('normalizes commands, coverage and smoke checks: absolute paths, ms, percent', () => {
    const config = validateConfigObject(
      withGates({
        before: [{ name: 'tests', command: 'npm', args: ['test', 1], cwd: 'releases/{version}', env: { CI: true } }],
        coverage: { file: 'coverage/lcov.info', minimum: '85%' },
        after: [{ name: 'version', path: '/version', expect: { bodyContains: '1.0' } }],
      }),
      { baseDir: '/srv/app' },
    );
    expect(config.environments[0]!.gates).toEqual({
      before: [
        {
          name: 'tests',
          command: 'npm',
          args: ['test', '1'],
          cwd: '/srv/app/releases/{version}',
          timeoutMs: 300_000,
          env: { CI: 'true' },
        },
      ],
      coverage: { file: '/srv/app/coverage/lcov.info', minimumPct: 85 },
      after: [
        {
          name: 'version',
          path: '/version',
          method: 'GET',
          expect: { status: 200, bodyContains: '1.0' },
          timeoutMs: 5000,
        },
      ],
    });
    expect(config.environments[1]!.gates).toBeUndefined();
    expect(
      validateConfigObject(withGates({ coverage: { file: 'coverage-summary.json', minimum: 0.8 } }), {
        baseDir: '/srv',
      }).environments[0]!.gates?.coverage?.minimumPct,
    ).toBe(80);
  });

  it('names the key and the line of a bad gate', () => {
    const text = `project: p
environments:
  staging:
    listen: 127.0.0.1:8081
    gates:
      before:
        - { name: tests, command: npm test }
      coverage: { file: coverage/report.html, minimum: 85% }
services:
  api: { command: node }
`;
    expect(() => parseConfig(text, { file: 'slipway.yaml', baseDir: '/srv' })).toThrow(
      'environments.staging.gates.before[0].command: is run without a shell: put the program in command and its ' +
        'arguments in args (command: node, args: [server.js]) (slipway.yaml:7)',
    );
    expect(() => parseConfig(text, { file: 'slipway.yaml', baseDir: '/srv' })).toThrow(
      'environments.staging.gates.coverage.file: expected a coverage-summary.json (istanbul json-summary) or an ' +
        'lcov file (lcov.info) (slipway.yaml:8)',
    );
  });

  it('refuses a gate name used twice and an unknown key', () => {
    const issues = issuesFor(
      withGates({ before: [{ name: 'a', command: 'x' }], after: [{ name: 'a', path: '/' }], smoke: [] }),
    );
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'environments.staging.gates.smoke: unknown key "smoke" (expected one of: before, coverage, after)',
      'environments.staging.gates.after[0].name: gate name "a" is used twice; names identify results',
    ]);
  });
});
