import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { launchFiles } from './launch-script.js';

function setup(overrides: { command?: string; cwd?: string } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'launch-'));
  const files = launchFiles({
    instanceId: 'ins_1',
    runDir: dir,
    cwd: overrides.cwd ?? dir,
    command: overrides.command ?? 'printf',
    args: ['%s|%s|%s\\n', "it's $(id) `x`", '$SECRET_TOKEN', '*'],
    env: { SECRET_TOKEN: "s3cr'et $(nope)", PORT: '4000' },
  });
  writeFileSync(join(dir, 'launch.sh'), files.script);
  writeFileSync(join(dir, 'env'), files.env, { mode: 0o600 });
  return dir;
}

describe('launchFiles', () => {
  it('runs the command with its args and env exactly, under a real sh, and deletes the env file', () => {
    const dir = setup();
    const out = execFileSync('/bin/sh', [join(dir, 'launch.sh'), 'run'], { encoding: 'utf8' });
    expect(out).toBe("it's $(id) `x`|$SECRET_TOKEN|*\n");
    expect(existsSync(join(dir, 'env'))).toBe(false);
  });

  it('check names a missing command (127) or directory (126) and starts nothing', () => {
    const missing = spawnSync('/bin/sh', [join(setup({ command: 'no-such-command-x' }), 'launch.sh'), 'check'], {
      encoding: 'utf8',
    });
    expect([missing.status, missing.stderr]).toEqual([127, 'command not found: no-such-command-x\n']);
    const gone = spawnSync('/bin/sh', [join(setup({ cwd: '/nonexistent/dir' }), 'launch.sh'), 'check'], {
      encoding: 'utf8',
    });
    expect([gone.status, gone.stderr]).toEqual([126, 'working directory /nonexistent/dir is missing on this host\n']);
  });

  it('the env file holds secrets only as quoted words, and refuses names a shell would not take', () => {
    const dir = setup();
    expect(readFileSync(join(dir, 'launch.sh'), 'utf8')).not.toContain('s3cr');
    expect(() =>
      launchFiles({ instanceId: 'i', runDir: '/r', cwd: '/', command: 'x', args: [], env: { 'A-B': '1' } }),
    ).toThrow(/env.A-B is not a variable name/);
  });
});
