import { describe, expect, it } from 'vitest';
import { issuesFor, rawConfig } from '../../../test/support/config.js';
import { validateConfigObject } from '../../config/validate.js';

const sso = (extra: Record<string, unknown> = {}) => ({
  issuer: 'https://login.example.com',
  clientId: 'slipway',
  clientSecret: 'env:SLIPWAY_OIDC_SECRET',
  redirectUri: 'https://slipway.example.com/api/v1/auth/oidc/callback',
  groups: {
    'platform-admins': ['admin:*'],
    'release-managers': ['approver:production', 'deployer:staging,production'],
  },
  ...extra,
});

describe('sso: in slipway.yaml', () => {
  it('normalizes grants and fills scopes and groupsClaim', () => {
    const config = validateConfigObject({ ...rawConfig(), sso: sso() }, { baseDir: '/srv/app' });
    expect(config.sso).toEqual({
      issuer: 'https://login.example.com',
      clientId: 'slipway',
      clientSecret: 'env:SLIPWAY_OIDC_SECRET',
      redirectUri: 'https://slipway.example.com/api/v1/auth/oidc/callback',
      scopes: ['openid', 'profile', 'email', 'groups'],
      groupsClaim: 'groups',
      groups: {
        'platform-admins': [{ role: 'admin', environments: '*' }],
        'release-managers': [
          { role: 'approver', environments: ['production'] },
          { role: 'deployer', environments: ['staging', 'production'] },
        ],
      },
    });
  });

  it('accepts http:// only on loopback', () => {
    expect(
      validateConfigObject({ ...rawConfig(), sso: sso({ issuer: 'http://127.0.0.1:9000' }) }, { baseDir: '/srv/app' })
        .sso?.issuer,
    ).toBe('http://127.0.0.1:9000');
    const issues = issuesFor({ ...rawConfig(), sso: sso({ issuer: 'http://login.example.com' }) });
    expect(issues.map((i) => [i.path, i.message])).toEqual([
      ['sso.issuer', expect.stringContaining('https:// URL (http:// is accepted only on 127.0.0.1 or localhost)')],
    ]);
  });

  it('refuses a literal client secret, a bad grant, scopes without openid, and unknown environments', () => {
    const issues = issuesFor({
      ...rawConfig(),
      sso: sso({ clientSecret: 'hunter2', scopes: ['profile'], groups: { ops: ['deployer:prod', 'owner:*'] } }),
    });
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(byPath['sso.clientSecret']).toMatch(/expected env:VARIABLE/);
    expect(byPath['sso.scopes']).toMatch(/must include openid/);
    expect(byPath['sso.groups.ops[1]']).toMatch(/expected ROLE:ENVIRONMENT/);
    expect(byPath['sso.groups.ops[0]']).toMatch(/unknown environment "prod" in grant "deployer:prod"/);
  });
});
