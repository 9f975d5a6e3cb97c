import type { SsoConfig } from '../../config/model.js';
import { SlipwayError } from '../../shared/errors.js';
import type { Grant } from '../types.js';

/**
 * The groups a claim lists. Providers send an array of names (Okta, Keycloak, WorkOS) or, with
 * a single group, sometimes a plain string; anything else counts as no groups.
 */
export function groupsOf(claims: Record<string, unknown>, claim: string): string[] {
  const value = claims[claim];
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string' && g !== '');
  return [];
}

/**
 * Grants of every mapped group the person is in, in the order of their groups claim. Someone
 * in no mapped group is refused (403) rather than let in with nothing: a session that can see
 * nothing only confuses.
 * @example grantsForGroups(sso, ['engineers']) // [{ role: 'viewer', environments: '*' }]
 */
export function grantsForGroups(sso: Pick<SsoConfig, 'groups' | 'groupsClaim'>, groups: readonly string[]): Grant[] {
  // In the order of the person's groups: the stored config is jsonb, whose key order is not the file's.
  const grants = [...new Set(groups)]
    .flatMap((group) => (Object.hasOwn(sso.groups, group) ? sso.groups[group]! : []))
    .map((g) => ({ role: g.role, environments: g.environments === '*' ? '*' : [...g.environments] }) as Grant);
  if (grants.length === 0) {
    const yours =
      groups.length === 0 ? `none (the ID token and userinfo carry no "${sso.groupsClaim}" claim)` : groups.join(', ');
    throw new SlipwayError(
      'forbidden',
      `no Slipway role for your groups: ${yours} (an admin maps groups to roles under sso.groups in slipway.yaml)`,
    );
  }
  return grants;
}
