import { describe, expect, it } from 'vitest';
import type { Grant } from '../../access/types.js';
import type { ApprovalPolicy } from '../../config/model.js';
import { approverEntry, describeApprovalWait, tallyApprovals, type Decision } from './approvals.js';

const day = 86_400_000;
const now = new Date('2026-11-26T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const policy: ApprovalPolicy = {
  required: 2,
  approvers: ['alice', 'bob', 'role:approver'],
  selfApproval: false,
  expiresAfterMs: 30 * day,
};
const viewer: Grant[] = [{ role: 'viewer', environments: '*' }];
const approverOnProduction: Grant[] = [{ role: 'approver', environments: ['production'] }];

function decision(byName: string, extra: Partial<Decision> = {}): Decision {
  return { decision: 'approve', byName, at: ago(day), releaseDigest: 'd1', tokenGrants: viewer, ...extra };
}
const tally = (decisions: Decision[], p: ApprovalPolicy = policy, excluded: { name: string; why: string }[] = []) =>
  tallyApprovals(p, 'production', 'd1', decisions, now, excluded);

describe('approverEntry', () => {
  it('matches a listed token name first, else a role the token holds on the environment', () => {
    expect(approverEntry(policy, 'production', { name: 'alice', grants: viewer })).toBe('alice');
    expect(approverEntry(policy, 'production', { name: 'carol', grants: approverOnProduction })).toBe('role:approver');
    expect(approverEntry(policy, 'staging', { name: 'carol', grants: approverOnProduction })).toBeUndefined();
    expect(approverEntry(policy, 'production', { name: 'root', grants: [{ role: 'admin', environments: '*' }] })).toBe(
      'role:approver',
    );
    expect(
      approverEntry(policy, 'production', { name: 'dave', grants: [{ role: 'deployer', environments: '*' }] }),
    ).toBeUndefined();
  });
});

describe('tallyApprovals', () => {
  it('counts distinct approvers once: two approvals by alice are one', () => {
    const t = tally([decision('alice', { at: ago(2 * day) }), decision('alice')]);
    expect(t).toMatchObject({ approvedBy: ['alice'], missing: 1, state: 'pending' });
    expect(tally([decision('alice'), decision('bob')])).toMatchObject({
      approvedBy: ['alice', 'bob'],
      missing: 0,
      state: 'approved',
    });
  });

  it('a name on the list or a role on this environment counts; anyone else does not', () => {
    const t = tally([
      decision('carol', { tokenGrants: approverOnProduction }),
      decision('dave', { tokenGrants: [{ role: 'approver', environments: ['staging'] }] }),
    ]);
    expect(t.approvedBy).toEqual(['carol']);
    expect(t.notCounted).toEqual([{ name: 'dave', why: 'not an approver in production now' }]);
  });

  it('an approval expires after expiresAfter (or its recorded expiry, when sooner)', () => {
    const t = tally([
      decision('alice', { at: ago(31 * day) }),
      decision('bob', { expiresAt: ago(1000) }),
      decision('carol', { tokenGrants: approverOnProduction, at: ago(29 * day) }),
    ]);
    expect(t.approvedBy).toEqual(['carol']);
    expect(t.notCounted).toEqual([
      { name: 'alice', why: `expired at ${new Date(ago(day).getTime()).toISOString()}` },
      { name: 'bob', why: `expired at ${ago(1000).toISOString()}` },
    ]);
  });

  it('decisions on another digest (the release changed) are void', () => {
    const t = tally([
      decision('alice', { releaseDigest: 'd0' }),
      decision('bob'),
      decision('carol', { decision: 'reject', reason: 'no', releaseDigest: 'd0', tokenGrants: approverOnProduction }),
    ]);
    expect(t).toMatchObject({ approvedBy: ['bob'], state: 'pending', notCounted: [] });
    expect(t.rejection).toBeUndefined();
  });

  it('self-approval is refused unless the policy allows it', () => {
    const excluded = [{ name: 'alice', why: 'alice is deploying it' }];
    const t = tally([decision('alice'), decision('bob')], policy, excluded);
    expect(t).toMatchObject({
      approvedBy: ['bob'],
      notCounted: [{ name: 'alice', why: 'alice is deploying it' }],
      state: 'pending',
    });
    expect(tally([decision('alice'), decision('bob')], { ...policy, selfApproval: true }, excluded).state).toBe(
      'approved',
    );
  });

  it('a rejection stops the release, whatever the approvals, until the one who rejected approves after all', () => {
    const rejected = tally([
      decision('alice'),
      decision('bob'),
      decision('carol', {
        decision: 'reject',
        reason: 'breaks invoices',
        at: ago(1000),
        tokenGrants: approverOnProduction,
      }),
    ]);
    expect(rejected).toMatchObject({ state: 'rejected', rejection: { by: 'carol', reason: 'breaks invoices' } });
    const withdrawn = tally([
      decision('alice', { decision: 'reject', reason: 'wait for the fix', at: ago(2 * day) }),
      decision('alice'),
      decision('bob'),
    ]);
    expect(withdrawn).toMatchObject({ state: 'approved', approvedBy: ['alice', 'bob'] });
  });

  it("a revoked token's decisions do not count, rejections included", () => {
    const t = tally([
      decision('alice', { tokenGrants: null }),
      decision('bob', { decision: 'reject', reason: 'no', tokenGrants: null }),
    ]);
    expect(t).toMatchObject({
      approvedBy: [],
      state: 'pending',
      notCounted: [
        { name: 'alice', why: 'its token was revoked' },
        { name: 'bob', why: 'its token was revoked' },
      ],
    });
  });
});

describe('describeApprovalWait', () => {
  const release = { service: 'quote-api', version: '1.4.2' };
  it('names the count, who approved, and who may still approve', () => {
    const t = tally([decision('alice')]);
    expect(describeApprovalWait(policy, 'production', release, t)).toBe(
      'production needs 2 approvals of quote-api 1.4.2; has 1 (alice); waits for 1 more from: bob, role:approver',
    );
    const none = tally([]);
    expect(
      describeApprovalWait({ ...policy, required: 1 }, 'production', release, { ...none, required: 1, missing: 1 }),
    ).toBe(
      'production needs 1 approval of quote-api 1.4.2; has none; waits for 1 more from: alice, bob, role:approver',
    );
  });

  it('says what did not count, leaves the deployer out of "from", and is undefined once approved', () => {
    const excluded = [{ name: 'bob', why: 'bob is deploying it' }];
    const t = tally([decision('bob')], policy, excluded);
    expect(describeApprovalWait(policy, 'production', release, t, excluded)).toBe(
      'production needs 2 approvals of quote-api 1.4.2; has none; waits for 2 more from: alice, role:approver; not ' +
        'counted: bob (bob is deploying it)',
    );
    expect(
      describeApprovalWait(policy, 'production', release, tally([decision('alice'), decision('bob')])),
    ).toBeUndefined();
  });

  it('a rejection says who, why, and what to do', () => {
    const t = tally([decision('alice', { decision: 'reject', reason: 'breaks invoices' })]);
    expect(describeApprovalWait(policy, 'production', release, t)).toBe(
      'quote-api 1.4.2 was rejected for production by alice: "breaks invoices"; deploy a new version (or alice ' +
        'approves it after all)',
    );
  });
});
