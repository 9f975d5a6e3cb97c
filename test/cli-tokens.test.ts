import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSlipway as slipway } from './support/cli.js';
import { System } from './support/system.js';

/** `slipway tokens create | list | revoke` against a real coordinator, and what the tokens they make may do. */
describe('slipway tokens', () => {
  let system: System;
  let empty: string;
  beforeAll(async () => {
    system = await System.start({ instances: 1 });
    empty = mkdtempSync(path.join(tmpdir(), 'slipway-tokens-cli-'));
  }, 120_000);
  afterAll(async () => {
    if (empty) rmSync(empty, { recursive: true, force: true });
    await system?.close();
  }, 120_000);
  const as = (token: string) => ({ env: { SLIPWAY_TOKEN: token, SLIPWAY_TEST_RUN: system.tag } });
  const config = () => ['--config', system.workspace.configPath];

  it('create prints the token once; it deploys to staging only; list hides it; revoke refuses it', async () => {
    const created = await slipway(
      [...config(), 'tokens', 'create', '--name', 'ci', '--grant', 'deployer:staging', '--expires', '30d'],
      as(system.token),
    );
    expect(created.code).toBe(0);
    expect(created.stderr).toMatch(/created token tok_\w+ "ci": deployer on staging, expires \d{4}-/);
    const secret = created.stdout.trim();
    expect(secret).toMatch(/^slw_[A-Za-z0-9_-]{43}$/);

    const production = await slipway(
      [...config(), 'deploy', 'quote-api', '--env', 'production', '--version', '1.0.0'],
      as(secret),
    );
    expect(production.code).toBe(4);
    expect(production.stderr).toContain('deployer on production required; token "ci" has deployer on staging');
    const staging = await slipway(
      [...config(), 'deploy', 'quote-api', '--env', 'staging', '--version', '1.0.0'],
      as(secret),
    );
    expect(staging.stderr).toBe('');
    expect(staging.stdout).toMatch(/^started dep_\w+: quote-api \(none\) → 1\.0\.0 in staging/);
    // Elsewhere the same file resolves to other absolute paths: a config change, which needs admin.
    copyFileSync(system.workspace.configPath, path.join(empty, 'slipway.yaml'));
    const changed = await slipway(
      ['--config', path.join(empty, 'slipway.yaml'), 'deploy', 'quote-api', '--env', 'staging', '--version', '1.0.1'],
      as(secret),
    );
    expect(changed.code).toBe(4);
    expect(changed.stderr).toContain(
      'differs from the config the coordinator has for project harbor-quote, and applying it is refused: admin on * ' +
        'required',
    );
    rmSync(path.join(empty, 'slipway.yaml'));
    const escalate = await slipway(
      [...config(), 'tokens', 'create', '--name', 'mine', '--grant', 'admin:*'],
      as(secret),
    );
    expect(escalate.code).toBe(4);
    expect(escalate.stderr).toContain('admin on * required; token "ci" has deployer on staging');
    const status = await slipway([...config(), 'status', '--json'], as(secret));
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).environments.map((e: { name: string }) => e.name)).toEqual(['staging']);

    // SLIPWAY_URL alone is enough for tokens commands (no slipway.yaml, no --project).
    const list = await slipway(['tokens', 'list', '--json'], {
      cwd: empty,
      env: { ...as(system.token).env, SLIPWAY_URL: `http://127.0.0.1:${system.workspace.ports.coordinator}` },
    });
    expect(list.code).toBe(0);
    expect(list.stdout).not.toContain(secret);
    const ci = JSON.parse(list.stdout).tokens.find((t: { name: string }) => t.name === 'ci');
    expect(ci).toMatchObject({
      state: 'active',
      grants: [{ role: 'deployer', environments: ['staging'] }],
      createdBy: 'admin',
    });
    const human = await slipway([...config(), 'tokens', 'list'], as(system.token));
    expect(human.stdout).toMatch(new RegExp(`${ci.id}\\s+ci\\s+deployer on staging\\s+active`));

    const revoked = await slipway([...config(), 'tokens', 'revoke', ci.id], as(system.token));
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`revoked token ${ci.id} "ci"`);
    const refused = await slipway([...config(), 'status'], as(secret));
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/token "ci" was revoked at /);
  }, 120_000);

  it('bad flags name the flag, exit 2', async () => {
    const role = await slipway(
      [...config(), 'tokens', 'create', '--name', 'x', '--grant', 'root:staging'],
      as(system.token),
    );
    expect(role.code).toBe(2);
    expect(role.stderr).toContain('--grant "root:staging": unknown role "root"');
    const expires = await slipway(
      [...config(), 'tokens', 'create', '--name', 'x', '--grant', 'viewer:*', '--expires', 'soon'],
      as(system.token),
    );
    expect(expires.code).toBe(2);
    expect(expires.stderr).toContain('--expires: "soon" must be a duration like 30s, 500ms or 1m30s');
    const none = await slipway([...config(), 'tokens', 'create', '--name', 'x'], as(system.token));
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--grant is required');
  }, 60_000);

  it('authorization is decided before state is read: a viewer steering a service gets exit 4, not "nothing in ' +
    'flight"', async () => {
    const created = await slipway(
      [...config(), 'tokens', 'create', '--name', 'watcher', '--grant', 'viewer:*'],
      as(system.token),
    );
    const viewer = created.stdout.trim();
    for (const verb of ['abort', 'promote', 'pause', 'resume']) {
      const denied = await slipway([...config(), verb, 'quote-api', '--env', 'staging'], as(viewer));
      expect({ verb, code: denied.code }).toEqual({ verb, code: 4 });
      expect(denied.stderr).toContain('deployer on staging required; token "watcher" has viewer on *');
    }
    // Someone who may abort learns that nothing is in flight (exit 5, a conflict).
    const nothing = await slipway([...config(), 'abort', 'quote-api', '--env', 'staging'], as(system.token));
    expect(nothing.code).toBe(5);
    expect(nothing.stderr).toContain('quote-api has no deployment in flight in staging');
  }, 60_000);
});
