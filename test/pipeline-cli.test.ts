import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { System } from './support/system.js';

/**
 * The release pipeline through the CLI and a real coordinator: production requires staging and is
 * frozen right now; promote-release is refused with what it waits for, an admin's emergency goes
 * through (marked), a deployer's emergency is refused.
 */
const hour = 3_600_000;
let system: System;

beforeAll(async () => {
  const from = new Date(Date.now() - hour).toISOString();
  const until = new Date(Date.now() + hour).toISOString();
  system = await System.start({
    instances: 1,
    environmentExtras: {
      production:
        `requires: [staging], freezes: [{ from: "${from}", until: "${until}", message: "quarter-end ` + `freeze" }]`,
    },
  });
}, 120_000);
afterAll(async () => {
  await system?.close();
}, 120_000);

const slipway = (args: string[], token?: string) => system.cli(args, token);

describe('promotion and freezes', () => {
  it('a release nobody deployed yet cannot be promoted (exit 3)', async () => {
    const r = await slipway(['promote-release', '1.0.0', '--to', 'production']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no release 1\.0\.0 has been deployed anywhere yet/);
  });

  it('after staging, production still waits for the freeze: status says so, promote-release is refused with its ' +
    'end', async () => {
    expect((await system.deployed('1.0.0')).state).toBe('succeeded');
    const status = await slipway(['status']);
    expect(status.stdout).toMatch(/quote-api 1\.0\.0: staging ● live → production waiting/);
    expect(status.stdout).toMatch(/production waits: production is frozen until \S+Z \(quarter-end freeze\)/);
    const json = JSON.parse((await slipway(['status', '--json'])).stdout);
    expect(json.releases[0].stages[1]).toEqual({
      environment: 'production',
      state: 'waiting',
      waitsFor: [expect.stringMatching(/frozen until/)],
    });

    const refused = await slipway(['promote-release', '1.0.0', '--to', 'production']);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(
      new RegExp(
        String.raw`production is frozen until \S+Z: quarter-end freeze \(from \S+ until \S+\); an admin can deploy` +
          ' anyway with --emergency --reason',
      ),
    );
  }, 120_000);

  it('a release that skipped staging is refused naming what it waits for, even in an emergency', async () => {
    const r = await slipway([
      'deploy',
      'quote-api',
      '--env',
      'production',
      '--version',
      '1.1.0',
      '--emergency',
      '--reason',
      'payment outage hotfix',
    ]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(
      new RegExp(
        String.raw`quote-api 1\.1\.0 cannot go to production yet: quote-api 1\.1\.0 has not been deployed` +
          ' successfully to staging yet',
      ),
    );
  });

  it("a deployer's emergency is refused (admins only); an admin's goes through and is marked", async () => {
    const created = await slipway([
      'tokens',
      'create',
      '--name',
      'release-bot',
      '--grant',
      'deployer:staging,production',
    ]);
    expect(created.code).toBe(0);
    const deployer = created.stdout.trim();
    const refused = await slipway(
      [
        'deploy',
        'quote-api',
        '--env',
        'production',
        '--version',
        '1.0.0',
        '--emergency',
        '--reason',
        'payment outage hotfix',
      ],
      deployer,
    );
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(
      /an emergency deployment needs admin on production; token "release-bot" has deployer on staging and production/,
    );
    expect(
      (await slipway(['deploy', 'quote-api', '--env', 'production', '--version', '1.0.0', '--emergency'])).stderr,
    ).toMatch(/--emergency needs --reason/);

    const r = await slipway([
      'deploy',
      'quote-api',
      '--env',
      'production',
      '--version',
      '1.0.0',
      '--emergency',
      '--reason',
      'payment outage hotfix',
      '--wait',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const { deployment, events } = JSON.parse(r.stdout);
    expect(deployment.state).toBe('succeeded');
    expect(deployment.emergency).toEqual({ reason: 'payment outage hotfix', by: 'admin' });
    expect(events.find((e: { kind: string }) => e.kind === 'deployment.started').message).toMatch(
      /^EMERGENCY \(payment outage hotfix\)/,
    );
    const history = await slipway(['history', 'quote-api', '--env', 'production']);
    expect(history.stdout.split('\n').find((l) => l.startsWith(deployment.id))).toMatch(
      /EMERGENCY: payment outage hotfix$/,
    );
    const audit = await slipway(['audit', 'export', '--since', '2020-01-01']);
    expect(audit.stdout).toMatch(/"emergency":"payment outage hotfix"/);
  }, 120_000);
});
