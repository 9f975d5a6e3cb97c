import { describe, expect, it } from 'vitest';
import { isSlipwayError } from '../../shared/errors.js';
import { grantsForGroups, groupsOf } from './group-grants.js';
import { fastifyCookie } from '@fastify/cookie';

const { serialize } = fastifyCookie;
import {
  openPendingLogin,
  pendingCookieName,
  pendingCookieOptions,
  pendingLoginTtlMs,
  sealPendingLogin,
} from './pending-cookie.js';

const sso = {
  groupsClaim: 'groups',
  groups: {
    'platform-admins': [{ role: 'admin' as const, environments: '*' as const }],
    'release-managers': [
      { role: 'approver' as const, environments: ['production'] },
      { role: 'deployer' as const, environments: ['staging', 'production'] },
    ],
    engineers: [{ role: 'viewer' as const, environments: '*' as const }],
  },
};

describe('group claims to grants', () => {
  it('reads an array, a single string, or nothing', () => {
    expect(groupsOf({ groups: ['a', 7, 'b', ''] }, 'groups')).toEqual(['a', 'b']);
    expect(groupsOf({ roles: 'engineers' }, 'roles')).toEqual(['engineers']);
    expect(groupsOf({ groups: { a: 1 } }, 'groups')).toEqual([]);
    expect(groupsOf({}, 'groups')).toEqual([]);
  });

  it('unites the grants of every mapped group in claim order, ignoring unmapped ones and repeats', () => {
    expect(grantsForGroups(sso, ['engineers', 'platform-admins', 'engineers'])).toEqual([
      { role: 'viewer', environments: '*' },
      { role: 'admin', environments: '*' },
    ]);
    expect(grantsForGroups(sso, ['contractors', 'release-managers', 'engineers'])).toEqual([
      { role: 'approver', environments: ['production'] },
      { role: 'deployer', environments: ['staging', 'production'] },
      { role: 'viewer', environments: '*' },
    ]);
  });

  it('refuses (403) someone in no mapped group, naming their groups but not the mapping', () => {
    try {
      grantsForGroups(sso, ['contractors', 'sales']);
      expect.unreachable();
    } catch (e) {
      expect(isSlipwayError(e) && e.code).toBe('forbidden');
      expect((e as Error).message).toMatch(/^no Slipway role for your groups: contractors, sales/);
      expect((e as Error).message).not.toContain('platform-admins');
    }
    // Group names are data from the provider: object built-ins are not groups.
    expect(() => grantsForGroups(sso, ['toString', '__proto__', 'constructor'])).toThrow(
      /no Slipway role for your groups: toString, __proto__, constructor/,
    );
    expect(() => grantsForGroups(sso, [])).toThrow(
      /no Slipway role for your groups: none \(the ID token and userinfo carry no "groups" claim\)/,
    );
  });
});

describe('the pending login cookie', () => {
  const pending = { state: 'st-123', nonce: 'no-456', codeVerifier: 'v'.repeat(43) };
  const now = 1_800_000_000_000;

  it('opens what it sealed, and hides the verifier', () => {
    const sealed = sealPendingLogin(pending, 'client-secret', now);
    expect(sealed).not.toContain('vvvv');
    expect(Buffer.from(sealed, 'base64url').toString('latin1')).not.toContain('st-123');
    expect(openPendingLogin(sealed, 'client-secret', now + 1000)).toEqual(pending);
  });

  it('refuses a changed cookie, another secret, and an expired login', () => {
    const sealed = sealPendingLogin(pending, 'client-secret', now);
    const raw = Buffer.from(sealed, 'base64url');
    raw[20] = raw[20]! ^ 1;
    expect(openPendingLogin(raw.toString('base64url'), 'client-secret', now)).toEqual({
      refused: 'the login cookie was altered or sealed under another client secret',
    });
    expect(openPendingLogin(sealed, 'rotated-secret', now)).toEqual({
      refused: 'the login cookie was altered or sealed under another client secret',
    });
    expect(openPendingLogin(sealed, 'client-secret', now + pendingLoginTtlMs)).toEqual({
      refused: 'the login was started more than 10 minutes ago',
    });
    expect(openPendingLogin('abc', 'client-secret', now)).toEqual({ refused: 'the login cookie is malformed' });
  });

  it('is httpOnly, Lax (the provider redirect is a cross-site top-level GET), scoped to the OIDC routes', () => {
    // Written by @fastify/cookie (reply.setCookie uses the same serializer).
    const header = (value: string, o: { secure: boolean; maxAgeMs: number }) =>
      serialize(pendingCookieName, value, pendingCookieOptions(o));
    expect(header('x', { secure: true, maxAgeMs: 600_000 })).toBe(
      'slipway_oidc_login=x; Max-Age=600; Path=/api/v1/auth/oidc; HttpOnly; Secure; SameSite=Lax',
    );
    expect(header('', { secure: false, maxAgeMs: 0 })).toBe(
      'slipway_oidc_login=; Max-Age=0; Path=/api/v1/auth/oidc; HttpOnly; SameSite=Lax',
    );
  });
});
