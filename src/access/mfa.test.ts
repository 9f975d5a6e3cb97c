import { describe, expect, it } from 'vitest';
import { rawConfig } from '../../test/support/config.js';
import { validateConfigObject } from '../config/validate.js';
import { mfaEnvironmentsOf, needsMfa } from './mfa.js';
import type { RouteAccess } from './types.js';

const route = (role: RouteAccess['role'], action = 'x.do'): RouteAccess => ({ action, role });

describe('the TOTP rule', () => {
  it('access.mfaRequired in slipway.yaml: default production, a list, or [] to turn it off', () => {
    const plain = validateConfigObject(rawConfig(), { baseDir: '/srv' });
    expect(plain.access).toBeUndefined();
    expect(mfaEnvironmentsOf([plain])).toEqual(['production']);
    const listed = validateConfigObject(
      { ...rawConfig(), access: { mfaRequired: ['staging', 'production'] } },
      { baseDir: '/srv' },
    );
    expect(mfaEnvironmentsOf([listed])).toEqual(['staging', 'production']);
    const off = validateConfigObject({ ...rawConfig(), access: { mfaRequired: [] } }, { baseDir: '/srv' });
    expect(mfaEnvironmentsOf([off])).toEqual([]);
    // Several projects: the lists are joined (stricter, never looser); no project yet: the default.
    expect(mfaEnvironmentsOf([off, listed])).toEqual(['staging', 'production']);
    expect(mfaEnvironmentsOf([])).toEqual(['production']);
    expect(() =>
      validateConfigObject({ ...rawConfig(), access: { mfaRequired: 'production' } }, { baseDir: '/srv' }),
    ).toThrow(/access\.mfaRequired/);
  });

  it('approver and admin actions on a listed environment need it; deployer and viewer actions do not', () => {
    const envs = ['production'];
    expect(needsMfa(route('approver'), 'production', envs)).toBe(true);
    expect(needsMfa(route('admin'), 'production', envs)).toBe(true);
    expect(needsMfa(route('deployer'), 'production', envs)).toBe(false);
    expect(needsMfa(route('approver'), 'staging', envs)).toBe(false);
    // The approvals route declares viewer (its handler checks the approver list): still an approval.
    expect(needsMfa(route('viewer', 'approval.decide'), 'production', envs)).toBe(true);
    // Project-wide admin actions reach every environment.
    expect(needsMfa(route('admin'), null, envs)).toBe(true);
    expect(needsMfa(route('admin'), null, [])).toBe(false);
  });
});

describe('access.mfaRequired checks', () => {
  it('a name that is not a declared environment is an error with a suggestion', () => {
    expect(() =>
      validateConfigObject({ ...rawConfig(), access: { mfaRequired: ['prodution'] } }, { baseDir: '/srv' }),
    ).toThrow(/access\.mfaRequired\[0\]: unknown environment "prodution".*production/s);
  });
});
