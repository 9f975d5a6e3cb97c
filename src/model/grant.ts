/** Roles, weakest first. `admin` can do everything; `viewer` only reads. */
export type Role = 'viewer' | 'deployer' | 'approver' | 'admin';
export const roles: readonly Role[] = ['viewer', 'deployer', 'approver', 'admin'];

/** One grant: a role on some environments ('*' = every environment, and project-wide actions). */
export interface Grant {
  role: Role;
  environments: string[] | '*';
}
