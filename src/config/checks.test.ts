import { describe, expect, it } from 'vitest';
import { issuesFor, rawConfig } from '../../test/support/config.js';
import { validateConfigObject } from './validate.js';

describe('listen addresses', () => {
  it('rejects two environments on one address', () => {
    const raw = rawConfig();
    raw.environments.production.listen = '127.0.0.1:8081';
    expect(issuesFor(raw)).toEqual([
      {
        path: 'environments.production.listen',
        message:
          '127.0.0.1:8081 is already used by environments.staging.listen (127.0.0.1:8081); every address must differ',
      },
    ]);
  });

  it('rejects an environment on the default coordinator address', () => {
    const raw = rawConfig();
    raw.environments.staging.listen = '127.0.0.1:7420';
    expect(issuesFor(raw)[0]?.message).toBe(
      '127.0.0.1:7420 is already used by coordinator.listen (its default, 127.0.0.1:7420); every address must differ',
    );
  });

  it('rejects the proxy admin API on the coordinator address', () => {
    const raw = { ...rawConfig(), coordinator: { listen: '127.0.0.1:9000' }, proxy: { admin: '127.0.0.1:9000' } };
    expect(issuesFor(raw).map((issue) => issue.path)).toEqual(['proxy.admin']);
  });

  it('treats a wildcard host and localhost as colliding on the same port', () => {
    const raw = rawConfig();
    raw.environments.staging.listen = '0.0.0.0:8082';
    expect(issuesFor(raw).map((issue) => issue.path)).toEqual(['environments.production.listen']);
    const local = rawConfig();
    local.environments.staging.listen = 'localhost:8082';
    expect(issuesFor(local).map((issue) => issue.path)).toEqual(['environments.production.listen']);
  });

  it('allows one port on two distinct hosts', () => {
    const raw = rawConfig();
    raw.environments.staging.listen = '127.0.0.2:8082';
    expect(() => validateConfigObject(raw, { baseDir: '/srv' })).not.toThrow();
  });

  it('checks the host:port form and the port range', () => {
    const raw = rawConfig();
    raw.environments.staging.listen = '8081';
    raw.environments.production.listen = '127.0.0.1:0';
    expect(issuesFor(raw)).toEqual([
      { path: 'environments.staging.listen', message: 'expected host:port, like 127.0.0.1:8080' },
      { path: 'environments.production.listen', message: 'the port must be between 1 and 65535' },
    ]);
  });
});

describe('environment overrides', () => {
  it('rejects overrides for undeclared environments, suggesting the declared one', () => {
    const raw = rawConfig();
    raw.services.api.environments = { prod: { instances: 2 }, qa: { instances: 1 } };
    expect(issuesFor(raw)).toEqual([
      { path: 'services.api.environments.prod', message: 'unknown environment "prod" (did you mean "production"?)' },
      {
        path: 'services.api.environments.qa',
        message: 'unknown environment "qa" (expected a declared environment: staging, production)',
      },
    ]);
  });
});

describe('routes', () => {
  it('rejects two services with the same route', () => {
    const raw = rawConfig();
    raw.services.web = { command: 'node', route: { pathPrefix: '/' } };
    expect(issuesFor(raw)).toEqual([
      {
        path: 'services.web.route',
        message:
          'same route as service "api" (path prefix /, any host); give one of them a different route.pathPrefix or ' +
          'route.host',
      },
    ]);
  });

  it('treats a trailing slash and host case as the same route', () => {
    const raw = rawConfig();
    raw.services.api.route = { pathPrefix: '/api', host: 'Quotes.local' };
    raw.services.web = { command: 'node', route: { pathPrefix: '/api/', host: 'quotes.local' } };
    expect(issuesFor(raw).map((issue) => issue.path)).toEqual(['services.web.route']);
  });

  it('accepts services that differ by path prefix or host', () => {
    const raw = rawConfig();
    raw.services.web = { command: 'node', route: { pathPrefix: '/', host: 'web.local' } };
    raw.services.admin = { command: 'node', route: { pathPrefix: '/admin' } };
    expect(validateConfigObject(raw, { baseDir: '/srv' }).services.map((s) => s.route)).toEqual([
      { pathPrefix: '/' },
      { pathPrefix: '/', host: 'web.local' },
      { pathPrefix: '/admin' },
    ]);
  });
});

describe('rolling strategy', () => {
  it('rejects maxSurge and maxUnavailable both zero, in the service and in overrides', () => {
    const raw = rawConfig();
    raw.services.api.strategy = { type: 'rolling', maxSurge: 0 };
    raw.services.api.environments = {
      production: { strategy: { type: 'rolling', maxSurge: '0%', maxUnavailable: 0 } },
    };
    expect(issuesFor(raw).map((issue) => issue.path)).toEqual([
      'services.api.strategy',
      'services.api.environments.production.strategy',
    ]);
    expect(issuesFor(raw)[0]?.message).toMatch(/maxSurge and maxUnavailable cannot both be 0/);
  });

  it('accepts a percentage surge with no unavailability', () => {
    const raw = rawConfig();
    raw.services.api.strategy = { type: 'rolling', maxSurge: '25%', maxUnavailable: 0 };
    expect(validateConfigObject(raw, { baseDir: '/srv' }).services[0]?.strategy).toEqual({
      type: 'rolling',
      maxSurge: { unit: 'percent', value: 25 },
      maxUnavailable: { unit: 'instances', value: 0 },
    });
  });

  it('names the strategy types when the type is unknown', () => {
    const raw = rawConfig();
    raw.services.api.strategy = { type: 'canary-ish' };
    expect(issuesFor(raw)).toEqual([
      { path: 'services.api.strategy.type', message: 'expected one of blue-green, rolling, canary' },
    ]);
  });
});

describe('placeholders and values', () => {
  it('rejects {port} outside args and near-miss placeholder names', () => {
    const raw = rawConfig();
    raw.services.api.env = { PORT_COPY: '{port}', V: 'v{verison}', JSON: '{"a":{b}}' };
    raw.services.api.releases = { '2.0.0': { cwd: 'releases/{vresion}' } };
    expect(issuesFor(raw)).toEqual([
      {
        path: 'services.api.env.PORT_COPY',
        message: '{port} is only filled in args; the instance gets its port as PORT in its environment',
      },
      { path: 'services.api.env.V', message: 'unknown placeholder {verison} (did you mean {version}?)' },
      {
        path: 'services.api.releases["2.0.0"].cwd',
        message: 'unknown placeholder {vresion} (did you mean {version}?)',
      },
    ]);
  });

  it('explains that command runs without a shell', () => {
    const raw = rawConfig();
    raw.services.api.command = 'node server.js';
    expect(issuesFor(raw)[0]?.message).toMatch(/run without a shell/);
    raw.services.api.command = '/opt/My App/bin/server';
    expect(() => validateConfigObject(raw, { baseDir: '/srv' })).not.toThrow();
  });

  it('checks thresholds, instances, names and env variable names', () => {
    const raw = rawConfig();
    raw.services.api.health = { healthyThreshold: 0, unhealthyThreshold: 1.5 };
    raw.services.api.instances = 65;
    raw.services.api.env = { 'LOG-LEVEL': 'x' };
    raw.services.Bad_Name = { command: 'x', route: { pathPrefix: '/b' } };
    expect(issuesFor(raw)).toEqual([
      {
        path: 'services.api.env.LOG-LEVEL',
        message: expect.stringMatching(/^invalid name: expected an environment variable name/),
      },
      { path: 'services.api.instances', message: 'expected an integer <= 64' },
      { path: 'services.api.health.healthyThreshold', message: 'expected an integer >= 1' },
      { path: 'services.api.health.unhealthyThreshold', message: 'expected an integer' },
      { path: 'services.Bad_Name', message: expect.stringMatching(/^invalid name: expected lowercase letters/) },
    ]);
  });

  it('requires at least one environment and one service', () => {
    expect(issuesFor({ project: 'p', environments: {}, services: {} })).toEqual([
      { path: 'environments', message: 'declare at least one environment' },
      { path: 'services', message: 'declare at least one service' },
    ]);
  });
});
