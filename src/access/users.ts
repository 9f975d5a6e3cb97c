import { SlipwayError } from '../shared/errors.js';
import type { Queryable } from '../store/db.js';
import { revokeSessionsOf } from '../store/repos/sessions.js';
import {
  disableUser as markDisabled,
  insertUser,
  listUsers as selectUsers,
  updatePasswordHash,
  type UserSummary,
} from '../store/repos/users.js';
import { checkPassword, hashPassword } from './passwords.js';
import type { Grant } from './types.js';

/**
 * Local users: people who log in to the dashboard with a password (and TOTP), as opposed to API
 * tokens (machines) and single sign-on subjects. Their grants are the same vocabulary as tokens'.
 */

export const userNamePattern = /^[a-z][a-z0-9._-]{0,63}$/;

function checkName(name: string): void {
  if (!userNamePattern.test(name)) {
    throw new SlipwayError(
      'invalid_input',
      `user name "${name.slice(0, 80)}" must be lowercase letters, digits, '.', '_' or '-', starting with a letter ` +
        `(at most 64)`,
    );
  }
}

/** Create a user with an argon2id hash of `password` (at least 12 characters). */
export async function createUser(
  db: Queryable,
  input: { name: string; password: string; grants: Grant[]; createdBy?: string },
): Promise<UserSummary> {
  checkName(input.name);
  checkPassword(input.password);
  if (input.grants.length === 0)
    throw new SlipwayError('invalid_input', 'grant at least one role, e.g. deployer:staging');
  const created = await insertUser(db, {
    name: input.name,
    passwordHash: await hashPassword(input.password),
    grants: input.grants,
    createdBy: input.createdBy,
  });
  if (!created) throw new SlipwayError('conflict', `user ${input.name} already exists (slipway users list shows them)`);
  return (await selectUsers(db)).find((u) => u.name === input.name)!;
}

/** Replace a user's password; their open sessions end (whoever held the old one is logged out). */
export async function setPassword(
  db: Queryable,
  name: string,
  password: string,
  now = new Date(),
): Promise<UserSummary> {
  checkPassword(password);
  const updated = await updatePasswordHash(db, name, await hashPassword(password));
  if (!updated) throw new SlipwayError('not_found', `no user ${name} (slipway users list shows them)`);
  await revokeSessionsOf(db, name, now);
  return updated;
}

/** Disable a user: login is refused from now on and their sessions end. Idempotent. */
export async function disableUser(db: Queryable, name: string, now = new Date()): Promise<UserSummary> {
  const disabled = await markDisabled(db, name);
  if (!disabled) throw new SlipwayError('not_found', `no user ${name} (slipway users list shows them)`);
  await revokeSessionsOf(db, name, now);
  return disabled;
}

/** Every user with grants and state (no hashes, no TOTP secrets). */
export function listUsers(db: Queryable): Promise<UserSummary[]> {
  return selectUsers(db);
}
