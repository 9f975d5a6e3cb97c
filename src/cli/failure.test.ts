import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/errors.js';
import { CliError } from './errors.js';
import { asksForJson, failureJson } from './failure.js';

describe('failureJson', () => {
  it('carries a config error’s issues: key path, file and line', () => {
    const issue = { path: 'services.api.health.path', message: 'expected a string', file: 'slipway.yaml', line: 14 };
    expect(failureJson(new ConfigError([issue]))).toEqual({
      error: {
        code: 'invalid_input',
        message: 'services.api.health.path: expected a string (slipway.yaml:14)',
        details: { issues: [issue] },
      },
    });
  });

  it('leaves out details named like secrets, at any depth', () => {
    const e = new CliError('conflict', 'no', { waits: [{ environment: 'staging', apiToken: 'x' }], password: 'y' });
    expect(failureJson(e)?.error.details).toEqual({ waits: [{ environment: 'staging' }] });
  });

  it('prints nothing more for a command that printed its own result before failing (deploy --wait --json)', () => {
    expect(failureJson(new CliError('failed', 'deployment dep_1 rolled back', { silent: true }))).toBeUndefined();
  });

  it('names a bug internal, without its stack', () => {
    expect(failureJson(new TypeError('x is undefined'))).toEqual({
      error: { code: 'internal', message: 'x is undefined' },
    });
  });
});

describe('asksForJson', () => {
  it('trusts the parsed option, else reads --json before any --', () => {
    expect(asksForJson(['logs', 'api', '--json'], false)).toBe(false);
    expect(asksForJson(['logs', 'api', '--json'])).toBe(true);
    expect(asksForJson(['deploy', '--', '--json'])).toBe(false);
  });
});
