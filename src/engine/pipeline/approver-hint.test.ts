import { describe, expect, it } from 'vitest';
import { parseGrant } from '../../cli/grant-flags.js';
import { anotherApproverHint } from './approver-hint.js';

/** The flags of the hint's command, as `slipway tokens create` would read them. */
function tokenFlags(hint: string): { name: string; grant: string } {
  const m = /slipway tokens create --name (\S+) --grant (\S+)$/.exec(hint);
  if (!m) throw new Error(`no tokens create command in: ${hint}`);
  return { name: m[1]!, grant: m[2]! };
}

describe('anotherApproverHint', () => {
  it('with a role entry: a token of that role for the environment, which tokens create accepts', () => {
    const hint = anotherApproverHint({ approvers: ['lead', 'role:approver'] }, 'production', 'bob');
    expect(hint).toBe(
      'ask one of: lead, role:approver; or have an admin create a token for one: ' +
        'slipway tokens create --name production-approver --grant approver:production',
    );
    expect(parseGrant(tokenFlags(hint).grant)).toEqual({ role: 'approver', environments: ['production'] });
  });

  it('with names only: a token of a listed name other than the refused one, that may view the environment', () => {
    const hint = anotherApproverHint({ approvers: ['bob', 'lead'] }, 'staging', 'bob');
    expect(hint).toBe(
      'ask one of: lead; or have an admin create a token for one: ' +
        'slipway tokens create --name lead --grant viewer:staging',
    );
    expect(parseGrant(tokenFlags(hint).grant)).toEqual({ role: 'viewer', environments: ['staging'] });
  });

  it('never proposes the refused name, and quotes a name a shell would split', () => {
    expect(tokenFlags(anotherApproverHint({ approvers: ['role:admin'] }, 'qa', 'qa-approver')).name).toBe(
      'qa-approver-2',
    );
    expect(anotherApproverHint({ approvers: ['me', "Ann O'Neil"] }, 'qa', 'me')).toContain(
      `slipway tokens create --name 'Ann O'\\''Neil' --grant viewer:qa`,
    );
  });

  it('says so when the refused approver is the only one listed', () => {
    expect(anotherApproverHint({ approvers: ['bob'] }, 'production', 'bob')).toBe(
      'nobody else is listed as an approver: list another in environments.production.approvals.approvers',
    );
  });
});
