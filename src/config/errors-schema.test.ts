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

  it('forward.releases: the release API, its token a secret; url defaults to sentry.io, dsnSecret optional', () => {
    const c = parseConfig(
      `${base}errors:\n  forward:\n    releases: { organization: acme, projects: [harbor-api, harbor-web], ` +
        'token: secret:SENTRY_AUTH_TOKEN }\n',
      options,
    );
    expect(c.errors.forward).toEqual({
      releases: {
        url: 'https://sentry.io',
        organization: 'acme',
        projects: ['harbor-api', 'harbor-web'],
        tokenSecret: 'SENTRY_AUTH_TOKEN',
      },
    });
    const selfHosted = parseConfig(
      `${base}errors: { forward: { dsnSecret: DSN, releases: { url: 'https://sentry.example.com/', ` +
        'organization: acme, projects: [api], token: secret:TOKEN } } }\n',
      options,
    );
    expect(selfHosted.errors.forward).toMatchObject({
      dsnSecret: 'DSN',
      releases: { url: 'https://sentry.example.com' },
    });
  });

  it('forward.releases: a token written in the config, a missing project or a bad slug names its key path', () => {
    try {
      parseConfig(
        `${base}errors:\n  forward:\n    releases:\n      url: ftp://sentry\n      organization: Acme Inc\n` +
          '      projects: []\n      token: sntrys_abc\n',
        options,
      );
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const issues = (e as ConfigError).issues;
      expect(issues.map((i) => `${i.path}:${i.line}`).sort()).toEqual([
        'errors.forward.releases.organization:8',
        'errors.forward.releases.projects:9',
        'errors.forward.releases.token:10',
        'errors.forward.releases.url:7',
      ]);
      const token = issues.find((i) => i.path === 'errors.forward.releases.token')!;
      expect(token.message).toMatch(/secret:NAME/);
      expect(JSON.stringify(issues)).not.toContain('sntrys_abc');
    }
    try {
      parseConfig(`${base}errors: { forward: { releases: { projects: [api], token: secret:T } } }\n`, options);
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect((e as ConfigError).issues.map((i) => i.path)).toEqual(['errors.forward.releases.organization']);
    }
  });
});
