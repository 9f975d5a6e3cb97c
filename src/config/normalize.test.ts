import { describe, expect, it } from 'vitest';
import { parseConfig } from './load.js';
import { defaultStrategy } from './strategy.js';
import { rawConfig } from '../../test/support/config.js';
import { validateConfigObject } from './validate.js';

describe('defaults', () => {
  it('fills every default, in ms and absolute paths', () => {
    const config = validateConfigObject(
      { project: 'p', environments: { staging: { listen: '127.0.0.1:8081' } }, services: { api: { command: 'node' } } },
      { baseDir: '/srv/app' },
    );
    expect(config).toEqual({
      project: 'p',
      baseDir: '/srv/app',
      dataDir: '/srv/app/.slipway',
      coordinator: { listen: '127.0.0.1:7420', host: '127.0.0.1', port: 7420 },
      proxy: {
        kind: 'builtin',
        admin: '127.0.0.1:7421',
        host: '127.0.0.1',
        port: 7421,
        workers: 'auto',
        binary: '/usr/sbin/haproxy',
      },
      errors: {
        rateLimit: { perSecond: 1000, burst: 2000 },
        retention: { maxEventsPerProject: 100_000, maxAgeMs: 30 * 86_400_000 },
      },
      runtime: {},
      environments: [
        {
          name: 'staging',
          listen: '127.0.0.1:8081',
          host: '127.0.0.1',
          port: 8081,
          requires: [],
          soakMs: 0,
          watch: { forMs: 300_000, onRegression: 'rollback', warmUpMs: 30_000 },
          alerts: { enabled: true, evaluateEveryMs: 10_000, repeatIntervalMs: 14_400_000, tls: [], rules: {} },
          freezes: [],
          windows: [],
        },
      ],
      services: [
        {
          name: 'api',
          command: 'node',
          args: [],
          cwd: '/srv/app',
          env: {},
          instances: 1,
          route: { pathPrefix: '/' },
          health: {
            path: '/health',
            intervalMs: 1000,
            timeoutMs: 2000,
            healthyThreshold: 1,
            unhealthyThreshold: 3,
            startTimeoutMs: 60_000,
          },
          drainTimeoutMs: 30_000,
          strategy: { type: 'blue-green', keepOldForMs: 300_000 },
          environments: {},
          releases: {},
        },
      ],
    });
  });

  it('gives a strategy named only by type the same defaults as --strategy', () => {
    for (const type of ['blue-green', 'rolling']) {
      const raw = rawConfig();
      raw.services.api.strategy = { type };
      expect(validateConfigObject(raw, { baseDir: '/srv' }).services[0]?.strategy).toEqual(defaultStrategy(type));
    }
  });
});

describe('normalization', () => {
  it('keeps environments in file order and splits IPv6 addresses', () => {
    const raw = rawConfig();
    raw.environments = {
      zeta: { listen: '[::1]:9001' },
      alpha: { listen: 'localhost:9002' },
      mid: { listen: '0.0.0.0:9003' },
    };
    const config = validateConfigObject(raw, { baseDir: '/srv' });
    expect(config.environments.map((e) => [e.name, e.host, e.port])).toEqual([
      ['zeta', '::1', 9001],
      ['alpha', 'localhost', 9002],
      ['mid', '0.0.0.0', 9003],
    ]);
  });

  it('resolves cwd and dataDir against the base directory and converts override durations', () => {
    const raw = rawConfig();
    raw.dataDir = '../state';
    raw.services.api.cwd = 'releases/{version}';
    raw.services.api.environments = {
      production: { drainTimeout: '1m30s', health: { startTimeout: '90s' }, env: { N: 1 } },
    };
    raw.services.api.releases = { '2.0.0': { cwd: 'v2', args: ['a', 2, true] } };
    const config = validateConfigObject(raw, { baseDir: '/srv/app' });
    const api = config.services[0]!;
    expect(config.dataDir).toBe('/srv/state');
    expect(api.cwd).toBe('/srv/app/releases/{version}');
    expect(api.environments).toEqual({
      production: { drainTimeoutMs: 90_000, health: { startTimeoutMs: 90_000 }, env: { N: '1' } },
    });
    expect(api.releases).toEqual({ '2.0.0': { cwd: '/srv/app/v2', args: ['a', '2', 'true'] } });
  });

  it('keeps YAML numbers in env values, args and release versions as written', () => {
    const text = [
      'project: p',
      'environments: { staging: { listen: 127.0.0.1:8081 } }',
      'services:',
      '  api:',
      '    command: node',
      '    args: [--workers, 0x10, 1.50]',
      '    env: { APP_VERSION: 1.10, DEBUG: true, HEX: 0x1F, EMPTY: "" }',
      '    releases:',
      '      1.10: { env: { X: 2.0 } }',
    ].join('\n');
    const api = parseConfig(text, { file: 'slipway.yaml', baseDir: '/srv' }).services[0]!;
    expect(api.args).toEqual(['--workers', '0x10', '1.50']);
    expect(api.env).toEqual({ APP_VERSION: '1.10', DEBUG: 'true', HEX: '0x1F', EMPTY: '' });
    expect(api.releases).toEqual({ '1.10': { env: { X: '2.0' } } });
  });

  it('reports issues without lines when validating an object, naming the file when given', () => {
    const raw = rawConfig();
    raw.services.api.instances = 'two';
    expect(() => validateConfigObject(raw, { baseDir: '/srv', file: 'slipway.yaml' })).toThrow(
      'services.api.instances: expected an integer (slipway.yaml)',
    );
    expect(() => validateConfigObject(raw, { baseDir: '/srv' })).toThrow(
      /^services\.api\.instances: expected an integer$/,
    );
  });
});
