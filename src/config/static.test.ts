import { describe, expect, it } from 'vitest';
import { issuesFor, rawConfig } from '../../test/support/config.js';
import { missingCommands } from './check-commands.js';
import { parseConfig } from './load.js';
import { resolveRelease, serviceIn } from './resolve.js';
import { validateConfigObject } from './validate.js';

const options = { file: 'slipway.yaml', baseDir: '/srv/app' };

function withWeb(web: Record<string, unknown>): Record<string, any> {
  const raw = rawConfig();
  raw.services.api.route = { pathPrefix: '/api' };
  raw.services.web = web;
  return raw;
}

describe('static services', () => {
  it("become a service running Slipway's static server on the release's build", () => {
    const config = parseConfig(
      [
        'project: harbor',
        'environments: { staging: { listen: 127.0.0.1:8081 } }',
        'services:',
        '  web:',
        '    static:',
        '      dir: frontend/releases/{version}/dist',
        '      budget: { total: 300KB, perEntry: 200KiB, maxGrowth: 10% }',
        '    health: { interval: 250ms }',
        '    strategy: { type: canary, sticky: true }',
      ].join('\n'),
      options,
    );
    const web = config.services[0]!;
    expect(web.static).toEqual({
      dir: '/srv/app/frontend/releases/{version}/dist',
      keep: 3,
      spa: true,
      budget: {
        manifest: '/srv/app/frontend/releases/{version}/dist/.vite/manifest.json',
        totalBytes: 300_000,
        perEntryBytes: 204_800,
        maxGrowth: 0.1,
      },
    });
    expect(web.command).toBe(process.execPath);
    expect(web.health).toMatchObject({ path: '/.slipway/health', intervalMs: 250 });
    expect(web.cwd).toBe('/srv/app');
    const spec = resolveRelease(serviceIn(config, 'web', 'staging'), '1.4.2');
    const arg = (flag: string) => spec.args[spec.args.indexOf(flag) + 1];
    expect(arg('--dir')).toBe('/srv/app/frontend/releases/1.4.2/dist');
    expect(arg('--release')).toBe('1.4.2');
    expect(arg('--port')).toBe('{port}');
    expect(arg('--store')).toBe('/srv/app/.slipway/static/harbor/web');
    expect(arg('--keep')).toBe('3');
    expect(arg('--base')).toBe('/');
    expect(spec.args).toContain('--spa');
    expect(spec.args.some((a) => /src\/static\/main\.ts$|static\/main\.js$/.test(a))).toBe(true);
    expect(missingCommands(config)).toEqual([]); // the server's node is this machine's
  });

  it('pass keep, spa and the route prefix on', () => {
    const config = validateConfigObject(
      withWeb({ static: { dir: 'dist', keep: 0, spa: false }, route: { pathPrefix: '/app' } }),
      { baseDir: '/srv/app' },
    );
    const web = config.services.find((s) => s.name === 'web')!;
    expect(web.args.slice(-4)).toEqual(['--keep', '0', '--base', '/app']);
    expect(web.static).toEqual({ dir: '/srv/app/dist', keep: 0, spa: false });
  });

  it('refuse command, args, cwd and health.path, at the key to remove', () => {
    const issues = issuesFor(
      withWeb({
        static: { dir: 'dist' },
        command: 'node',
        args: ['x'],
        cwd: 'web',
        health: { path: '/health' },
        environments: { production: { health: { path: '/up' } } },
        releases: { '2.0.0': { command: 'node', env: { A: 'b' } } },
      }),
    );
    expect(issues.map((i) => i.path).sort()).toEqual(
      [
        'services.web.args',
        'services.web.command',
        'services.web.cwd',
        'services.web.environments.production.health.path',
        'services.web.health.path',
        'services.web.releases["2.0.0"].command',
      ].sort(),
    );
    expect(issues.find((i) => i.path === 'services.web.command')?.message).toBe(
      "command cannot be set on a static service (it runs Slipway's static file server on static.dir); remove " +
        'command, or static',
    );
  });

  it('require a command or static', () => {
    expect(issuesFor(withWeb({ route: { pathPrefix: '/' } }))).toEqual([
      { path: 'services.web.command', message: 'is required (or static: for a frontend build)' },
    ]);
  });

  it('check dir, keep and the budget sizes', () => {
    const issues = issuesFor(
      withWeb({ static: { dir: 'releases/{verison}/dist', keep: 21, budget: { total: 'lots', perEntry: 0 } } }),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'services.web.static.dir', message: 'unknown placeholder {verison}: only {version}' },
        expect.objectContaining({ path: 'services.web.static.keep' }),
        expect.objectContaining({ path: 'services.web.static.budget.total', message: expect.stringMatching(/300KB/) }),
        expect.objectContaining({ path: 'services.web.static.budget.perEntry' }),
      ]),
    );
    expect(issuesFor(withWeb({ static: {} }))).toEqual([
      expect.objectContaining({ path: 'services.web.static.dir', message: 'is required' }),
    ]);
  });
});
