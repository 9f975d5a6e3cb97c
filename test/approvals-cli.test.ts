import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { System } from './support/system.js';

/**
 * Approvals through the CLI and a real coordinator: production needs one approval from "lead" or
 * an approver token. The release is refused until approved; whoever first deployed it cannot
 * approve it; `slipway approvals` lists what waits.
 */
let system: System;

beforeAll(async () => {
  system = await System.start({
    instances: 1,
    environmentExtras: {
      production: 'requires: [staging], approvals: { required: 1, approvers: [lead, "role:approver"] }',
    },
  });
}, 120_000);
afterAll(async () => {
  await system?.close();
}, 120_000);

const slipway = (args: string[], token?: string) => system.cli(args, token);

describe('slipway approve / reject / approvals', () => {
  it('refused until approved by someone other than who deployed it, then promoted', async () => {
    expect((await system.deployed('1.0.0')).state).toBe('succeeded');
    const pending = await slipway(['approvals']);
    expect(pending.code).toBe(0);
    expect(pending.stdout).toMatch(/quote-api\s+1\.0\.0\s+production\s+pending\s+0\/1\s+1 more/);

    const refused = await slipway(['promote-release', '1.0.0', '--to', 'production']);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain(
      'production needs 1 approval of quote-api 1.0.0; has none; waits for 1 more from: lead, role:approver',
    );

    const noReason = await slipway(['reject', '1.0.0', '--env', 'production']);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toMatch(/slipway reject needs --reason/);
    const self = await slipway(['approve', '1.0.0', '--env', 'production']);
    expect(self.code).toBe(4);
    expect(self.stderr).toMatch(/admin first deployed quote-api 1\.0\.0 and cannot approve it for production/);
    // The refusal names the way to another approver as a command; it is run here as printed.
    const hint = /or have an admin create a token for one: slipway (tokens create .*)$/m.exec(self.stderr);
    expect(hint?.[1]).toBe('tokens create --name production-approver --grant approver:production');

    const created = await slipway(hint![1]!.split(' '));
    expect(created.code).toBe(0);
    const approved = await slipway(
      ['approve', '1.0.0', '--env', 'production', '--reason', 'reviewed the diff'],
      created.stdout.trim(),
    );
    expect(approved.code).toBe(0);
    expect(approved.stdout.trim()).toBe(
      'approved quote-api 1.0.0 for production: 1 of 1 (production-approver); ready: slipway promote-release 1.0.0 ' +
        '--to production',
    );
    expect(JSON.parse((await slipway(['approvals', '--json'])).stdout)).toEqual({ approvals: [] });

    const promoted = await slipway(['promote-release', '1.0.0', '--to', 'production', '--wait']);
    expect(promoted.code).toBe(0);
  }, 120_000);
});
