import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import type { ProjectConfig } from './model.js';
import { environmentEnvFor, resolveRelease, serviceIn } from './resolve.js';
import { rawConfig } from '../../test/support/config.js';
import { validateConfigObject } from './validate.js';

function config(): ProjectConfig {
  const raw = rawConfig();
  raw.services.api = {
    command: 'node',
    args: ['server.js', '--port', '{port}', '--tag={version}'],
    cwd: 'releases/{version}',
    env: { LOG_LEVEL: 'info', APP_VERSION: '{version}', REGION: 'eu' },
    instances: 2,
    health: { interval: '2s', startTimeout: '30s' },
    strategy: { type: 'blue-green', keepOldFor: '1m' },
    environments: {
      production: {
        instances: 4,
        strategy: { type: 'rolling', maxSurge: 1, maxUnavailable: 0 },
        env: { LOG_LEVEL: 'warn' },
        health: { startTimeout: '90s' },
        drainTimeout: '60s',
      },
    },
    releases: {
      '2.0.0': { args: ['server-v2.js', '--port', '{port}'], env: { QUOTE_MODEL: 'v2', REGION: '{version}-eu' } },
      '3.0.0': { command: 'deno', cwd: 'v3' },
    },
  };
  return validateConfigObject(raw, { baseDir: '/srv/app' });
}

describe('serviceIn', () => {
  it('merges an environment over the service: replace instances, strategy, drain; merge env and health', () => {
    const api = serviceIn(config(), 'api', 'production');
    expect(api.project).toBe('harbor-quote');
    expect(api.environment).toBe('production');
    expect(api.instances).toBe(4);
    expect(api.strategy).toEqual({
      type: 'rolling',
      maxSurge: { unit: 'instances', value: 1 },
      maxUnavailable: { unit: 'instances', value: 0 },
    });
    expect(api.drainTimeoutMs).toBe(60_000);
    expect(api.env).toEqual({ LOG_LEVEL: 'warn', APP_VERSION: '{version}', REGION: 'eu' });
    expect(api.health).toMatchObject({ intervalMs: 2000, startTimeoutMs: 90_000, path: '/health' });
    expect(api).not.toHaveProperty('environments');
  });

  it('uses the service as declared where an environment has no overrides', () => {
    const api = serviceIn(config(), 'api', 'staging');
    expect(api).toMatchObject({
      instances: 2,
      drainTimeoutMs: 30_000,
      strategy: { type: 'blue-green', keepOldForMs: 60_000 },
    });
    expect(api.health.startTimeoutMs).toBe(30_000);
  });

  it('does not change the config it reads', () => {
    const declared = config();
    const before = structuredClone(declared);
    serviceIn(declared, 'api', 'production').env.EXTRA = 'x';
    expect(declared).toEqual(before);
  });

  it('names the known services and environments when one is unknown', () => {
    expect(() => serviceIn(config(), 'apj', 'staging')).toThrow(
      'unknown service "apj" in harbor-quote (did you mean "api"?)',
    );
    const error = (() => {
      try {
        serviceIn(config(), 'api', 'qa');
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.code).toBe('not_found');
    expect(error?.message).toBe(
      'unknown environment "qa" in harbor-quote (expected an environment: staging, production)',
    );
  });
});

describe('resolveRelease', () => {
  it('fills {version} in args, cwd and env, and leaves {port} for the runtime', () => {
    const spec = resolveRelease(serviceIn(config(), 'api', 'staging'), '1.4.2');
    expect(spec).toEqual({
      service: 'api',
      version: '1.4.2',
      command: 'node',
      args: ['server.js', '--port', '{port}', '--tag=1.4.2'],
      cwd: '/srv/app/releases/1.4.2',
      env: { LOG_LEVEL: 'info', APP_VERSION: '1.4.2', REGION: 'eu' },
    });
  });

  it('applies release overrides: args replace, env merges over the service env', () => {
    const spec = resolveRelease(serviceIn(config(), 'api', 'production'), '2.0.0');
    expect(spec.args).toEqual(['server-v2.js', '--port', '{port}']);
    expect(spec.cwd).toBe('/srv/app/releases/2.0.0');
    expect(spec.env).toEqual({ LOG_LEVEL: 'info', APP_VERSION: '2.0.0', REGION: '2.0.0-eu', QUOTE_MODEL: 'v2' });
  });

  it("leaves the environment's env out of the release: the same version is one release in every environment", () => {
    const staging = resolveRelease(serviceIn(config(), 'api', 'staging'), '1.4.2');
    const production = serviceIn(config(), 'api', 'production');
    expect(resolveRelease(production, '1.4.2')).toEqual(staging);
    // The deployment adds it over the release's, except what the release sets itself (its own env, --set).
    expect(environmentEnvFor(production, staging)).toEqual({ LOG_LEVEL: 'warn' });
    const withSet = resolveRelease(production, '1.4.2', { LOG_LEVEL: 'debug' });
    expect(environmentEnvFor(production, withSet)).toEqual({});
    const ownRelease = { ...config() };
    ownRelease.services[0]!.releases['1.4.2'] = { env: { LOG_LEVEL: 'trace' } };
    const ownService = serviceIn(ownRelease, 'api', 'production');
    expect(environmentEnvFor(ownService, resolveRelease(ownService, '1.4.2'))).toEqual({});
  });

  it('applies a release command and cwd', () => {
    expect(resolveRelease(serviceIn(config(), 'api', 'staging'), '3.0.0')).toMatchObject({
      command: 'deno',
      cwd: '/srv/app/v3',
    });
  });

  it('merges --set values last and takes them literally', () => {
    const spec = resolveRelease(serviceIn(config(), 'api', 'production'), '2.0.0', {
      QUOTE_MODEL: 'v3',
      NOTE: '{version}',
    });
    expect(spec.env).toMatchObject({ QUOTE_MODEL: 'v3', NOTE: '{version}', LOG_LEVEL: 'info' });
    // Recorded apart, so the version deployed again without --set is the same release (releaseSpecFor).
    expect(spec.sets).toEqual({ QUOTE_MODEL: 'v3', NOTE: '{version}' });
  });

  it.each(['', '-1', '1.0/../../etc', 'a b', 'x'.repeat(65)])('rejects the version %j', (version) => {
    expect(() => resolveRelease(serviceIn(config(), 'api', 'staging'), version)).toThrow(ConfigError);
  });

  it('accepts versions with dots, plus and dashes', () => {
    expect(resolveRelease(serviceIn(config(), 'api', 'staging'), '1.0.0-rc.1+build_7').version).toBe(
      '1.0.0-rc.1+build_7',
    );
  });
});
