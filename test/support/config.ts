/** Raw config objects for tests: a small valid project, changed per test. Used by src/config/*.test.ts. */
import { ConfigError, type ConfigIssue } from '../../src/config/errors.js';
import { validateConfigObject } from '../../src/config/validate.js';

/** A valid raw config with two environments and one service; tweak the returned object freely. */
export function rawConfig(): Record<string, any> {
  return {
    project: 'harbor-quote',
    environments: { staging: { listen: '127.0.0.1:8081' }, production: { listen: '127.0.0.1:8082' } },
    services: { api: { command: 'node', args: ['server.js', '--port', '{port}'] } },
  };
}

/** The issues validateConfigObject reports for `raw` (fails the test when it accepts it). */
export function issuesFor(raw: unknown): ConfigIssue[] {
  try {
    validateConfigObject(raw, { baseDir: '/srv/app' });
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected the config to be rejected');
}
