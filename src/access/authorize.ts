import type { Grant, Principal, Role } from './types.js';

/**
 * Authorization rules, in one place:
 * - `admin` can do everything its grant covers.
 * - Viewing is implied by any grant on an environment (a deployer on staging may read staging).
 * - `deployer` and `approver` are separate powers: an approver cannot deploy unless also
 *   granted deployer, and a deployer cannot approve.
 * - A grant on '*' covers every environment and also project-wide actions; a project-wide
 *   action (environment null) needs the role on '*'.
 */

/** Does the grant's role give `role`? */
function grantsRole(granted: Role, role: Role): boolean {
  return granted === 'admin' || granted === role || role === 'viewer';
}

/** Does the grant reach `environment` (null = project-wide, only '*' reaches it)? */
function covers(grant: Grant, environment: string | null): boolean {
  if (grant.environments === '*') return true;
  return environment !== null && grant.environments.includes(environment);
}

/**
 * May the principal act as `role` on `environment` (null = project-wide)?
 * @example allows({ grants: [{ role: 'deployer', environments: ['staging'] }] }, 'viewer', 'staging') // true
 */
export function allows(principal: Pick<Principal, 'grants'>, role: Role, environment: string | null): boolean {
  return principal.grants.some((g) => grantsRole(g.role, role) && covers(g, environment));
}

/** May the principal act as `role` on at least one environment? (lists that show only what it may see) */
export function allowsSomewhere(principal: Pick<Principal, 'grants'>, role: Role): boolean {
  return principal.grants.some(
    (g) => grantsRole(g.role, role) && (g.environments === '*' || g.environments.length > 0),
  );
}

/** The environments the principal may view: '*' for all, else the names its grants list. */
export function viewableEnvironments(principal: Pick<Principal, 'grants'>): '*' | string[] {
  if (principal.grants.some((g) => g.environments === '*')) return '*';
  return [...new Set(principal.grants.flatMap((g) => g.environments as string[]))];
}

/**
 * Grants for messages, e.g. `deployer on staging and production, viewer on *` (environments are
 * joined by "and" so the comma only ever separates grants).
 * @example describeGrants([{ role: 'admin', environments: '*' }]) // 'admin on *'
 */
export function describeGrants(grants: readonly Grant[]): string {
  if (grants.length === 0) return 'no grants';
  return grants.map((g) => `${g.role} on ${g.environments === '*' ? '*' : g.environments.join(' and ')}`).join(', ');
}
