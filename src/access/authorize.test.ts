import { describe, expect, it } from 'vitest';
import { allows, allowsSomewhere, describeGrants, viewableEnvironments } from './authorize.js';
import type { Grant, Role } from './types.js';

const p = (...grants: Grant[]) => ({ grants });

describe('allows', () => {
  it('a deployer on staging deploys and views staging only', () => {
    const ci = p({ role: 'deployer', environments: ['staging'] });
    expect(allows(ci, 'deployer', 'staging')).toBe(true);
    expect(allows(ci, 'viewer', 'staging')).toBe(true);
    expect(allows(ci, 'deployer', 'production')).toBe(false);
    expect(allows(ci, 'viewer', 'production')).toBe(false);
    expect(allows(ci, 'viewer', null)).toBe(false);
  });

  it('deployer and approver are separate powers; admin has both', () => {
    const approver = p({ role: 'approver', environments: ['production'] });
    expect(allows(approver, 'approver', 'production')).toBe(true);
    expect(allows(approver, 'deployer', 'production')).toBe(false);
    expect(allows(p({ role: 'deployer', environments: ['production'] }), 'approver', 'production')).toBe(false);
    const admin = p({ role: 'admin', environments: ['production'] });
    for (const role of ['viewer', 'deployer', 'approver', 'admin'] as Role[])
      expect(allows(admin, role, 'production')).toBe(true);
    expect(allows(admin, 'viewer', 'staging')).toBe(false);
  });

  it("project-wide actions need the role on '*'; '*' covers every environment", () => {
    expect(allows(p({ role: 'admin', environments: ['staging', 'production'] }), 'admin', null)).toBe(false);
    const everywhere = p({ role: 'deployer', environments: '*' });
    expect(allows(everywhere, 'deployer', 'anything')).toBe(true);
    expect(allows(everywhere, 'viewer', null)).toBe(true);
    expect(allows(everywhere, 'admin', null)).toBe(false);
  });

  it('grants add up', () => {
    const mixed = p({ role: 'viewer', environments: '*' }, { role: 'deployer', environments: ['staging'] });
    expect(allows(mixed, 'viewer', 'production')).toBe(true);
    expect(allows(mixed, 'deployer', 'staging')).toBe(true);
    expect(allows(mixed, 'deployer', 'production')).toBe(false);
  });

  it('with no grants nothing is allowed', () => {
    expect(allows(p(), 'viewer', 'staging')).toBe(false);
    expect(allowsSomewhere(p(), 'viewer')).toBe(false);
    expect(allowsSomewhere(p({ role: 'approver', environments: ['qa'] }), 'viewer')).toBe(true);
    expect(allowsSomewhere(p({ role: 'approver', environments: ['qa'] }), 'deployer')).toBe(false);
  });
});

describe('viewableEnvironments', () => {
  it("is '*' with any grant on '*', else the listed environments once each", () => {
    expect(viewableEnvironments(p({ role: 'deployer', environments: ['staging'] }))).toEqual(['staging']);
    expect(
      viewableEnvironments(
        p(
          { role: 'deployer', environments: ['staging'] },
          { role: 'approver', environments: ['staging', 'production'] },
        ),
      ),
    ).toEqual(['staging', 'production']);
    expect(
      viewableEnvironments(p({ role: 'viewer', environments: '*' }, { role: 'deployer', environments: ['staging'] })),
    ).toBe('*');
  });
});

describe('describeGrants', () => {
  it('names every grant; environments joined by "and"', () => {
    expect(
      describeGrants([
        { role: 'deployer', environments: ['staging'] },
        { role: 'viewer', environments: '*' },
      ]),
    ).toBe('deployer on staging, viewer on *');
    expect(describeGrants([{ role: 'approver', environments: ['staging', 'production'] }])).toBe(
      'approver on staging and production',
    );
    expect(describeGrants([])).toBe('no grants');
  });
});
