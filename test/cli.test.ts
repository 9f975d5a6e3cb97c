import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSlipway } from './support/cli.js';
import { System } from './support/system.js';

/** The CLI as a user runs it: a real process, its stdout, stderr and exit code. */
const slipway = runSlipway;

describe('slipway without a coordinator', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'slipway-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--help lists the commands and the exit codes', async () => {
    const r = await slipway(['--help']);
    expect(r.code).toBe(0);
    for (const command of [
      'init',
      'validate',
      'schema',
      'up',
      'down',
      'deploy',
      'status',
      'history',
      'rollback',
      'logs',
    ])
      expect(r.stdout).toContain(command);
    expect(r.stdout).toContain('Exit codes:');
  });

  it('init writes a config that validate accepts', async () => {
    const init = await slipway(['init', '--project', 'harbor'], { cwd: dir });
    expect(init.code).toBe(0);
    // No slipway in this directory's node_modules (as through npx): the schema the editor line names is written beside
    // it.
    const yaml = readFileSync(path.join(dir, 'slipway.yaml'), 'utf8');
    expect(yaml.split('\n')[0]).toBe('# yaml-language-server: $schema=./slipway.schema.json');
    expect(JSON.parse(readFileSync(path.join(dir, 'slipway.schema.json'), 'utf8')).title).toBeTruthy();
    const validate = await slipway(['validate'], { cwd: dir });
    expect(validate.stdout).toContain('is valid: project harbor');
    expect(validate.code).toBe(0);
    const again = await slipway(['init'], { cwd: dir });
    expect(again.code).toBe(5);
    expect(again.stderr).toMatch(/already exists; pass --force/);
  });

  it('validate lists every error with key path and line, exit 1', async () => {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(
      file,
      [
        'project: harbor',
        'environments:',
        '  staging: { listen: 127.0.0.1:8081 }',
        'services:',
        '  api:',
        '    command: node',
        '    instances: many',
        '    health:',
        '      path: 14',
        '      interval: soon',
        '',
      ].join('\n'),
    );
    const r = await slipway(['validate', '--config', file]);
    expect(r.code).toBe(1);
    // The file read is the one named, not "slipway.yaml".
    expect(r.stderr.split('\n')[0]).toBe(`${file} is invalid:`);
    expect(r.stderr).toContain('services.api.instances');
    expect(r.stderr).toMatch(/services\.api\.instances: expected an integer \(.*bad\.yaml:7\)/);
    expect(r.stderr).toMatch(/services\.api\.health\.path: expected a string \(.*bad\.yaml:9\)/);
    expect(r.stderr).toMatch(/services\.api\.health\.interval: .*duration.*\(.*bad\.yaml:10\)/);
  });

  it('--version, -V and version print the package version; a command keeps its own --version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    const empty = mkdtempSync(path.join(tmpdir(), 'slipway-empty-'));
    try {
      for (const args of [['--version'], ['-V']]) {
        const r = await slipway(args, { cwd: empty });
        expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
          code: 0,
          stdout: `slipway ${version}\n`,
          stderr: '',
        });
      }
      // No slipway.yaml and no SLIPWAY_URL: the CLI's version alone, no coordinator asked.
      const plain = await slipway(['version', '--json'], { cwd: empty, env: { SLIPWAY_URL: '' } });
      expect(plain.code).toBe(0);
      expect(JSON.parse(plain.stdout)).toEqual({ cli: version, coordinator: null });
      // After a command, --version is that command's option (the release to deploy), not the CLI's version.
      const deploy = await slipway(['deploy', 'web', '--env', 'staging', '--version', '1.0.0'], { cwd: empty });
      expect(deploy.stdout).not.toContain(version);
      expect(deploy.code).not.toBe(0);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('a missing config says how to make one', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'slipway-empty-'));
    const missing = await slipway(['status'], { cwd: empty });
    rmSync(empty, { recursive: true, force: true });
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/no config file at .*slipway\.yaml; run "slipway init"/);
  });

  it('a command that needs the coordinator says it is not running, exit 6, one line', async () => {
    const r = await slipway(['deploy', 'web', '--env', 'staging', '--version', '1.0.0'], { cwd: dir });
    expect(r.code).toBe(6);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      /the coordinator is not running at http:\/\/127\.0\.0\.1:7420 — start it with `slipway up`/,
    );
    // A script asking for JSON gets the reason as JSON on stdout too; the exit code is the same.
    const json = await slipway(['status', '--json'], { cwd: dir });
    expect(json.code).toBe(6);
    expect(JSON.parse(json.stdout).error).toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(/the coordinator is not running/),
    });
    expect(json.stderr).toMatch(/the coordinator is not running/);
  });

  it('bad flags name the flag', async () => {
    const r = await slipway(['deploy', 'web', '--env', 'staging', '--version', '1.0.0', '--set', 'NOEQUALS'], {
      cwd: dir,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--set "NOEQUALS": expected KEY=VALUE');
    const s = await slipway(['deploy', 'web', '--env', 'staging', '--version', '1.0.0', '--strategy', 'yolo'], {
      cwd: dir,
    });
    expect(s.code).toBe(2);
    expect(s.stderr).toContain('--strategy yolo: expected one of blue-green, rolling');
  });

  it('schema prints the JSON Schema', async () => {
    const r = await slipway(['schema']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).$schema).toMatch(/json-schema\.org/);
  });
});

describe('slipway against a running coordinator', () => {
  let system: System;
  beforeAll(async () => {
    system = await System.start({ instances: 1 });
  }, 120_000);
  afterAll(async () => {
    await system?.close();
  }, 120_000);
  const env = () => ({ SLIPWAY_TOKEN: system.token, SLIPWAY_TEST_RUN: system.tag });

  it('deploy --wait prints progress and a summary, exit 0; status and history show it', async () => {
    const r = await slipway(
      [
        '--config',
        system.workspace.configPath,
        'deploy',
        'quote-api',
        '--env',
        'staging',
        '--version',
        '1.0.0',
        '--wait',
      ],
      { env: env() },
    );
    expect(r.stderr).toContain('wait for 1 healthy candidate instance');
    expect(r.stdout).toMatch(/✔ quote-api 1\.0\.0 is live in staging \(blue-green/);
    expect(r.code).toBe(0);

    const status = await slipway(['--config', system.workspace.configPath, 'status'], { env: env() });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/quote-api\s+1\.0\.0\s+1\.0\.0 100%\s+1\/1 healthy\s+succeeded/);
    const json = JSON.parse(
      (await slipway(['--config', system.workspace.configPath, 'status', '--json'], { env: env() })).stdout,
    );
    expect(json.environments.find((e: { name: string }) => e.name === 'staging').services[0].stable).toBe('1.0.0');

    const history = await slipway(['--config', system.workspace.configPath, 'history', '--json'], { env: env() });
    expect(JSON.parse(history.stdout).deployments[0].to.version).toBe('1.0.0');
  }, 120_000);

  it('deploy --wait of a broken release exits 1 with the reason and the log tail', async () => {
    const r = await slipway(
      [
        '--config',
        system.workspace.configPath,
        'deploy',
        'quote-api',
        '--env',
        'staging',
        '--version',
        '1.1.0',
        '--set',
        'CRASH_ON_START=1',
        '--wait',
      ],
      { env: env() },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✘ quote-api 1\.1\.0 failed in staging/);
    expect(r.stdout).toContain('CRASH_ON_START is set, exiting');
    expect(r.stdout).toContain('1.0.0 keeps serving');
  }, 120_000);

  it('logs shows instance output, prefixed with the instance', async () => {
    const r = await slipway(
      ['--config', system.workspace.configPath, 'logs', 'quote-api', '--env', 'staging', '--tail', '5'],
      { env: env() },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ins_\w+ 1\.0\.0 \| harbor-quote 1\.0\.0 .* listening on 127\.0\.0\.1:\d+$/m);
    const before = Date.now();
    const json = await slipway(
      ['--config', system.workspace.configPath, 'logs', 'quote-api', '--tail', '5', '--json'],
      { env: env() },
    );
    const records = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    // Merged by when each line was written: a stopped instance's (the crashed 1.1.0) by then, not when read.
    const times = records.map((r) => Date.parse(r.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const r of records.filter((r) => r.release === '1.1.0')) expect(Date.parse(r.at)).toBeLessThan(before);
    expect(records).toContainEqual(
      expect.objectContaining({
        environment: 'staging',
        release: '1.0.0',
        line: expect.stringMatching(/listening on/),
      }),
    );
  });

  it('an unknown token is refused, exit 4', async () => {
    const r = await slipway(['--config', system.workspace.configPath, 'status'], {
      env: { SLIPWAY_TOKEN: 'slw_not-a-real-token-at-all' },
    });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('unknown token');
  });

  it('rollback with nothing to go back to is refused, exit 5', async () => {
    const r = await slipway(['--config', system.workspace.configPath, 'rollback', 'quote-api', '--env', 'staging'], {
      env: env(),
    });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('has no previous release to roll back to');
  });
});
