import { describe, expect, it } from 'vitest';
import { issuesFor, rawConfig } from '../../test/support/config.js';
import { validateConfigObject } from './validate.js';

describe('approvals in slipway.yaml', () => {
  it('fills defaults: one approval from role:approver, 30 days, no self-approval except in development', () => {
    const raw = rawConfig();
    raw.environments = { development: { listen: '127.0.0.1:8080', approvals: {} }, ...raw.environments };
    raw.environments.production.approvals = { required: 2, approvers: ['alice', 'role:approver'], expiresAfter: '7d' };
    const [development, staging, production] = validateConfigObject(raw, { baseDir: '/srv/app' }).environments;
    expect(development!.approvals).toEqual({
      required: 1,
      approvers: ['role:approver'],
      selfApproval: true,
      expiresAfterMs: 30 * 86_400_000,
    });
    expect(staging!.approvals).toBeUndefined();
    expect(production!.approvals).toEqual({
      required: 2,
      approvers: ['alice', 'role:approver'],
      selfApproval: false,
      expiresAfterMs: 7 * 86_400_000,
    });
  });

  it('names every problem with its key path', () => {
    const raw = rawConfig();
    raw.environments.staging.approvals = { required: 3, approvers: ['alice', 'bob'] };
    raw.environments.production.approvals = { approvers: ['role:viewer', 'alice'], expiresAfter: 0 };
    expect(issuesFor(raw)).toEqual([
      {
        path: 'environments.staging.approvals.required',
        message: '3 approvals required but only 2 approver(s) listed (alice, bob); list more, or add role:approver',
      },
      {
        path: 'environments.production.approvals.approvers[0]',
        message: 'expected a token name (like alice) or role:approver / role:deployer / role:admin',
      },
      { path: 'environments.production.approvals.expiresAfter', message: 'must be longer than 0' },
    ]);
    raw.environments.production.approvals = { approvers: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] };
    expect(issuesFor(raw).filter((i) => i.path.startsWith('environments.production'))).toEqual([
      { path: 'environments.production.approvals.approvers', message: 'at most 6 approvers' },
    ]);
    raw.environments.production.approvals = { approvers: ['alice', 'alice'] };
    expect(issuesFor(raw).filter((i) => i.path.startsWith('environments.production'))).toEqual([
      { path: 'environments.production.approvals.approvers[1]', message: '"alice" is listed twice' },
    ]);
  });
});
