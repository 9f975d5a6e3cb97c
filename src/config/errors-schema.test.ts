import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { parseConfig } from './load.js';

const base =
  'project: p\nenvironments: { staging: { listen: 127.0.0.1:8081 } }\nservices: { api: { command: node } }\n';
const options = { file: 'slipway.yaml', baseDir: '/srv/p' };

describe('errors: (the Sentry-protocol ingest)', () => {
  it('rate limit and retention, in ms', () => {
    const c = parseConfig(
      `${base}errors: { rateLimit: { perSecond: 50, burst: 80 }, retention: { maxEvents: 500, maxAge: 7d } }\n`,
      options,
    );
    expect(c.errors).toEqual({
      rateLimit: { perSecond: 50, burst: 80 },
      retention: { maxEventsPerProject: 500, maxAgeMs: 7 * 86_400_000 },
    });
  });

  it('a bad value names its key path and line', () => {
    try {
      parseConfig(`${base}errors:\n  retention: { maxAge: 0s }\n  rateLimit: { perSecond: 0 }\n`, options);
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const issues = (e as ConfigError).issues.map((i) => `${i.path}:${i.line}`);
      expect(issues).toEqual(expect.arrayContaining(['errors.retention.maxAge:5', 'errors.rateLimit.perSecond:6']));
    }
  });

  it('forward names the secret holding the upstream DSN; off when absent', () => {
    expect(parseConfig(base, options).errors.forward).toBeUndefined();
    const c = parseConfig(`${base}errors: { forward: { dsnSecret: SENTRY_UPSTREAM_DSN } }\n`, options);
    expect(c.errors.forward).toEqual({ dsnSecret: 'SENTRY_UPSTREAM_DSN' });
    try {
      parseConfig(`${base}errors: { forward: { dsnSecret: 'https://key@sentry.io/1' } }\n`, options);
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).issues.map((i) => i.path)).toEqual(['errors.forward.dsnSecret']);
    }
  });
});
