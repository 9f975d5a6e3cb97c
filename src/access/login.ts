import { SlipwayError } from '../shared/errors.js';
import type { Db } from '../store/db.js';
import { clearThrottle, readThrottle, writeThrottle } from '../store/repos/login-throttle.js';
import { claimTotpStep, findUser } from '../store/repos/users.js';
import type { SessionIdentity } from './identity.js';
import { lockedFor, recordFailure } from './lockout.js';
import { decoyHash, verifyPassword } from './passwords.js';
import type { Keyring } from './secrets/keyring.js';
import { totpStep } from './totp.js';

/** What a login attempt comes to. Refusals never say which part was wrong or whether the user exists. */
export type LoginOutcome =
  | { outcome: 'ok'; identity: SessionIdentity }
  | { outcome: 'refused'; message: string }
  | { outcome: 'locked'; retryAfterSeconds: number; message: string };

export interface LoginAttempt {
  name: string;
  password: string;
  totp?: string;
  /** The client address: failures count per address as well as per user name. */
  source: string;
}

const keysOf = (a: LoginAttempt) => [`user:${a.name.slice(0, 200)}`, `ip:${a.source}`];
const lockedMessage = 'too many failed logins: try again later';

/**
 * Check a local user's password (and TOTP code, when given) with brute-force protection: five
 * failures within 15 minutes, per user name or per address, lock both out for 15 minutes (then
 * 30, then 1 hour). A wrong TOTP code is a failure like a wrong password.
 */
export async function attemptLogin(
  db: Db,
  keyring: Keyring | undefined,
  attempt: LoginAttempt,
  now = Date.now(),
): Promise<LoginOutcome> {
  const keys = keysOf(attempt);
  const waits = await Promise.all(keys.map(async (k) => lockedFor(await readThrottle(db, k), now)));
  const wait = Math.max(...waits);
  if (wait > 0) return { outcome: 'locked', retryAfterSeconds: Math.ceil(wait / 1000), message: lockedMessage };

  const user = await findUser(db, attempt.name);
  // Unknown users cost the same argon2 time as known ones.
  const passwordOk = await verifyPassword(attempt.password, user?.passwordHash ?? (await decoyHash()));
  let ok = passwordOk && user !== undefined && !user.disabledAt;
  let mfa = false;
  if (ok && attempt.totp !== undefined) {
    if (!user!.totpEnabled || !user!.totpSecret) ok = false;
    else if (!keyring)
      throw new SlipwayError(
        'unavailable',
        'TOTP codes cannot be checked: this coordinator has no master key (SLIPWAY_MASTER_KEY or master.key in the ' +
          'data directory)',
      );
    else {
      const step = totpStep(user!.name, user!.totpSecret, attempt.totp, keyring, now);
      // A replayed code counts as a failure, like a wrong one.
      ok = mfa = step !== null && (await claimTotpStep(db, user!.name, step));
    }
  }
  if (ok) {
    await clearThrottle(db, keys[0]!);
    return {
      outcome: 'ok',
      identity: { kind: 'local', subject: user!.name, name: user!.name, grants: user!.grants, mfa },
    };
  }

  const lockedNow = await db.transaction(async (tx) => {
    let longest = 0;
    for (const key of keys) {
      const next = recordFailure(await readThrottle(tx, key, true), now);
      await writeThrottle(tx, key, next);
      longest = Math.max(longest, lockedFor(next, now));
    }
    return longest;
  });
  if (lockedNow > 0)
    return { outcome: 'locked', retryAfterSeconds: Math.ceil(lockedNow / 1000), message: lockedMessage };
  return {
    outcome: 'refused',
    message: attempt.totp === undefined ? 'invalid user name or password' : 'invalid user name, password or TOTP code',
  };
}
