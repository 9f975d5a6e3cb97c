import type { ProjectConfig } from '../config/model.js';
import { SlipwayError } from '../shared/errors.js';
import type { Queryable } from '../store/db.js';
import { listProjects } from '../store/repos/projects.js';
import type { RouteAccess } from './types.js';

/**
 * The second-factor rule for people: a login session without TOTP (or, for single sign-on, a
 * provider-verified second factor) may not act as approver or admin on the environments listed
 * in `access.mfaRequired` (default [production]). API tokens are exempt: they belong to machines
 * (CI), are scoped per environment, and cannot type a code.
 */

export const defaultMfaEnvironments = ['production'];

/**
 * Routes that decide as an approver although their declared role is lower (the approvals route
 * lets any viewer reach the handler, which checks the environment's approver list).
 */
const approverActions = new Set(['approval.decide']);

/**
 * The environments that need a second factor. Route access names environments without their
 * project, so the lists of every project are joined: stricter, never looser.
 */
export function mfaEnvironmentsOf(configs: readonly Pick<ProjectConfig, 'access'>[]): string[] {
  if (configs.length === 0) return defaultMfaEnvironments;
  return [...new Set(configs.flatMap((c) => c.access?.mfaRequired ?? defaultMfaEnvironments))];
}

/** The same, from the projects in the store. */
export async function loadMfaEnvironments(db: Queryable): Promise<string[]> {
  return mfaEnvironmentsOf((await listProjects(db)).map((p) => p.config));
}

/** Could this route need a second factor somewhere (approver or admin actions)? Other routes never do. */
export function mayNeedMfa(access: Pick<RouteAccess, 'role' | 'action'>): boolean {
  return access.role === 'approver' || access.role === 'admin' || approverActions.has(access.action);
}

/**
 * Does this route, acting on `environment`, need a second factor? Project-wide admin actions
 * (environment null: tokens, users, project config) reach every environment, so they do
 * whenever any environment needs one.
 */
export function needsMfa(access: RouteAccess, environment: string | null, mfaEnvironments: readonly string[]): boolean {
  if (!mayNeedMfa(access)) return false;
  if (mfaEnvironments.length === 0) return false;
  return environment === null ? access.role === 'admin' : mfaEnvironments.includes(environment);
}

/** Throw the 403 that tells a session without TOTP what to do. */
export function refuseWithoutMfa(access: RouteAccess, environment: string | null): never {
  const where = environment ?? 'every environment';
  const what = access.role === 'admin' ? 'admin actions' : 'approvals';
  throw new SlipwayError('forbidden', `TOTP required for ${what} on ${where}: log in with your TOTP code`, {
    action: access.action,
    environment: environment ?? '*',
    mfa: 'required',
  });
}
