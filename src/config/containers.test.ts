import { describe, expect, it } from 'vitest';
import { issuesFor, rawConfig } from '../../test/support/config.js';
import { containerOf } from '../app/placed-runtime.js';
import { validateConfigObject } from './validate.js';

describe('container config (the container runtime)', () => {
  it('keeps container: per environment and per service, with the memory limit in bytes, and the engine', () => {
    const raw = rawConfig();
    raw.runtime = { docker: { socket: '/run/docker.sock' } };
    raw.environments.production.container = { memory: '256MiB' };
    raw.environments.staging.hosts = ['ssh://deploy@10.0.1.5'];
    raw.services.api.environments = { staging: { container: {} } };
    const config = validateConfigObject(raw, { baseDir: '/srv/app' });
    expect(config.runtime.docker).toEqual({ socket: '/run/docker.sock', publish: '127.0.0.1' });
    expect(config.environments.find((e) => e.name === 'production')!.container).toEqual({ memoryBytes: 268435456 });
    const of = (environment: string) =>
      containerOf(() => [config], { project: config.project, service: 'api', environment });
    expect(of('production')).toEqual({ memoryBytes: 268435456 });
    // The service's own container: wins over its environment's hosts:.
    expect(of('staging')).toEqual({});
  });

  it('without container: nothing runs in a container', () => {
    const config = validateConfigObject(rawConfig(), { baseDir: '/srv/app' });
    expect(config.environments.map((e) => e.container)).toEqual([undefined, undefined]);
    expect(containerOf(() => [config], { project: config.project, service: 'api', environment: 'production' })).toBe(
      undefined,
    );
  });

  it('keeps container: together with hosts: (containers on the SSH hosts)', () => {
    const raw = rawConfig();
    raw.environments.staging.hosts = ['ssh://deploy@10.0.1.5'];
    raw.environments.staging.container = { memory: '128MiB' };
    const config = validateConfigObject(raw, { baseDir: '/srv/app' });
    const staging = config.environments.find((e) => e.name === 'staging')!;
    expect(staging.hosts).toEqual(['ssh://deploy@10.0.1.5']);
    expect(staging.container).toEqual({ memoryBytes: 134217728 });
  });

  it('names the key path of a bad memory size and a bad socket', () => {
    const raw = rawConfig();
    raw.runtime = { docker: { socket: 'docker.sock' } };
    raw.environments.production.container = { memory: 'lots' };
    raw.services.api.environments = { production: { container: { memory: '1GiB', cpus: 2 } } };
    const issues = issuesFor(raw).map((i) => `${i.path}: ${i.message}`);
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^runtime\.docker\.socket: .*absolute path/),
        expect.stringMatching(/^environments\.production\.container\.memory: .*memory size like/),
        expect.stringMatching(/^services\.api\.environments\.production\.container\.cpus: unknown key/),
      ]),
    );
  });
});
