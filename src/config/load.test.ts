import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { loadConfig, parseConfig } from './load.js';

const options = { file: 'slipway.yaml', baseDir: '/srv/app' };

/** Lines of a config, numbered from 1 in the comments to keep expected line numbers readable. */
const valid = [
  'project: harbor-quote', // 1
  'environments:', // 2
  '  staging: { listen: 127.0.0.1:8081 }', // 3
  '  production: { listen: 127.0.0.1:8082 }', // 4
  'services:', // 5
  '  api:', // 6
  '    command: node', // 7
  '    args: [server.js]', // 8
  '    health:', // 9
  '      path: /health', // 10
  '      interval: 1s', // 11
];

/** Replace (or with `undefined`, drop) 1-based lines of the valid config. */
function edit(changes: Record<number, string | undefined>): string {
  return valid
    .map((line, i) => (i + 1 in changes ? changes[i + 1] : line))
    .filter((line) => line !== undefined)
    .join('\n');
}

function issuesOf(text: string) {
  try {
    parseConfig(text, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

function errorOf(text: string): ConfigError {
  try {
    parseConfig(text, options);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('accepts the valid base config', () => {
    expect(parseConfig(valid.join('\n'), options).services[0]?.name).toBe('api');
  });

  it('reports a wrong type deep in a service with its key path and line', () => {
    const error = errorOf(edit({ 10: '      path: [a, b]' }));
    expect(error.code).toBe('invalid_input');
    expect(error.issues).toEqual([
      { path: 'services.api.health.path', message: 'expected a string', file: 'slipway.yaml', line: 10, column: 7 },
    ]);
    expect(error.message).toBe('services.api.health.path: expected a string (slipway.yaml:10)');
  });

  it('reports a missing required key at the line of its parent', () => {
    expect(issuesOf(edit({ 7: undefined }))).toEqual([
      expect.objectContaining({
        path: 'services.api.command',
        message: 'is required (or static: for a frontend build)',
        line: 6,
      }),
    ]);
  });

  it('reports a missing top-level key at the start of the document', () => {
    expect(issuesOf(edit({ 1: undefined }))).toEqual([
      expect.objectContaining({ path: 'project', message: 'is required', line: 1 }),
    ]);
  });

  it('reports an unknown key with a suggestion, at the key', () => {
    expect(issuesOf(edit({ 9: '    heath:' }))).toEqual([
      expect.objectContaining({
        path: 'services.api.heath',
        message: 'unknown key "heath" (did you mean "health"?)',
        line: 9,
        column: 5,
      }),
    ]);
  });

  it('lists the allowed keys when nothing is close', () => {
    const [issue] = issuesOf(`${valid.join('\n')}\nsomething: 1`);
    expect(issue?.message).toBe(
      'unknown key "something" (expected one of: project, dataDir, coordinator, proxy, runtime, environments, ' +
        'services, database, triggers, sso, access, errors, notifications)',
    );
    expect(issue?.line).toBe(12);
  });

  it('takes the proxy worker count, auto by default, and names the key of a bad one', () => {
    expect(parseConfig(valid.join('\n'), options).proxy.workers).toBe('auto');
    expect(parseConfig(`${valid.join('\n')}\nproxy: { workers: 3 }`, options).proxy.workers).toBe(3);
    expect(parseConfig(`${valid.join('\n')}\nproxy: { workers: 0 }`, options).proxy.workers).toBe(0);
    const [issue] = issuesOf(`${valid.join('\n')}\nproxy: { workers: many }`);
    expect(issue?.path).toBe('proxy.workers');
    expect(issue?.line).toBe(12);
    const [tooMany] = issuesOf(`${valid.join('\n')}\nproxy: { workers: 65 }`);
    expect(tooMany?.path).toBe('proxy.workers');
  });

  it('selects HAProxy with proxy.kind, and reports the keys the chosen kind would ignore where they are', () => {
    expect(parseConfig(valid.join('\n'), options).proxy).toMatchObject({
      kind: 'builtin',
      binary: '/usr/sbin/haproxy',
    });
    const haproxy = parseConfig(`${valid.join('\n')}\nproxy: { kind: haproxy, binary: /opt/hx/sbin/haproxy }`, options);
    expect(haproxy.proxy).toMatchObject({ kind: 'haproxy', binary: '/opt/hx/sbin/haproxy' });
    expect(issuesOf(`${valid.join('\n')}\nproxy: { kind: nginx }`)[0]).toMatchObject({ path: 'proxy.kind', line: 12 });
    expect(issuesOf(`${valid.join('\n')}\nproxy: { kind: haproxy, workers: 2 }`)[0]).toMatchObject({
      path: 'proxy.workers',
      message: expect.stringMatching(/built-in proxy only/),
    });
    expect(issuesOf(`${valid.join('\n')}\nproxy: { binary: /usr/sbin/haproxy }`)[0]).toMatchObject({
      path: 'proxy.binary',
      message: expect.stringMatching(/set kind: haproxy/),
    });
    expect(issuesOf(`${valid.join('\n')}\nproxy: { kind: haproxy, binary: haproxy }`)[0]).toMatchObject({
      path: 'proxy.binary',
      message: expect.stringMatching(/absolute path/),
    });
  });

  it('reports a bad duration', () => {
    expect(issuesOf(edit({ 11: '      interval: soon' }))).toEqual([
      expect.objectContaining({
        path: 'services.api.health.interval',
        message: 'must be a duration like 30s, 500ms or 1m30s',
        line: 11,
      }),
    ]);
  });

  it('turns YAML syntax errors into issues with line and column', () => {
    const error = errorOf(edit({ 8: '    args: [server.js' }));
    expect(error.issues.length).toBeGreaterThan(0);
    const [issue] = error.issues;
    expect(issue?.path).toBe('');
    expect(issue?.message).toMatch(/^YAML syntax error: /);
    expect(issue?.line).toBeGreaterThanOrEqual(8);
    expect(issue?.column).toBeGreaterThan(0);
    expect(error.message).toMatch(/\(slipway\.yaml:\d+:\d+\)/);
  });

  it('reports a duplicate key as a YAML error at its line', () => {
    const [issue] = issuesOf(edit({ 8: '    command: python' }));
    expect(issue).toMatchObject({ line: 8 });
    expect(issue?.message).toMatch(/unique/);
  });

  it('lists several problems at once, in file order', () => {
    const error = errorOf(
      `${edit({
        1: 'project: Harbor Quote',
        4: '  production: { listen: 127.0.0.1:8081 }',
        8: '    args: server.js',
        11: '      interval: -1s',
      })}\n    instances: 0`,
    );
    expect(error.issues.map((issue) => [issue.path, issue.line])).toEqual([
      ['project', 1],
      ['environments.production.listen', 4],
      ['services.api.args', 8],
      ['services.api.health.interval', 11],
      ['services.api.instances', 12],
    ]);
    expect(error.issues[4]?.message).toBe('expected an integer >= 1');
    expect(error.message.split('\n')).toHaveLength(5);
  });

  it('treats an empty file as a missing mapping', () => {
    expect(issuesOf('# nothing yet\n')).toEqual([
      expect.objectContaining({ path: '', message: 'expected a mapping (key: value), but the value is empty' }),
    ]);
  });

  it('refuses YAML whose aliases expand without bound', () => {
    const levels = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++)
      levels.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const [issue] = issuesOf(levels.join('\n'));
    expect(issue?.message).toMatch(/^cannot read YAML: .*alias/i);
  });

  it('formats record keys that are not identifiers with brackets', () => {
    const [issue] = issuesOf(`${valid.join('\n')}\n    releases:\n      "2.0.0": { comand: node }`);
    expect(issue).toMatchObject({ path: 'services.api.releases["2.0.0"].comand', line: 13 });
    expect(issue?.message).toBe('unknown key "comand" (did you mean "command"?)');
  });
});

describe('loadConfig', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('reads the file and resolves paths against its directory', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'slipway-config-'));
    const file = path.join(dir, 'slipway.yaml');
    await writeFile(file, `${valid.join('\n')}\ndataDir: state`);
    const config = await loadConfig(file);
    expect(config).toMatchObject({ configPath: file, baseDir: dir, dataDir: path.join(dir, 'state') });
    expect(config.services[0]?.cwd).toBe(dir);
  });

  it('names the file in issues as the caller gave it', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'slipway-config-'));
    const file = path.join(dir, 'slipway.yaml');
    await writeFile(file, edit({ 7: '    command: 5' }));
    await expect(loadConfig(file)).rejects.toThrow(`services.api.command: expected a string (${file}:7)`);
  });

  it('says how to get a config when the file is missing', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'slipway-config-'));
    const file = path.join(dir, 'slipway.yaml');
    const error = await loadConfig(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: 'not_found' });
    expect((error as Error).message).toBe(`no config file at ${file}; run "slipway init" to write one`);
  });
});
