import { randomBytes } from 'node:crypto';
import { argon2id, argon2Verify } from 'hash-wasm';
import { SlipwayError } from '../shared/errors.js';

export const minPasswordLength = 12;
const maxPasswordLength = 1024;

/** Refuse passwords too short to resist guessing (or long enough to be a denial of service for argon2). */
export function checkPassword(password: string): void {
  if (password.length < minPasswordLength)
    throw new SlipwayError('invalid_input', `the password must be at least ${minPasswordLength} characters`);
  if (password.length > maxPasswordLength)
    throw new SlipwayError('invalid_input', `the password must be at most ${maxPasswordLength} characters`);
}

/** argon2id (OWASP's second configuration: 64 MiB, 3 passes, 1 lane) as an encoded PHC string. */
export function hashPassword(password: string): Promise<string> {
  return argon2id({
    password,
    salt: randomBytes(16),
    parallelism: 1,
    iterations: 3,
    memorySize: 65536,
    hashLength: 32,
    outputType: 'encoded',
  });
}

/** Does `password` match the PHC string? argon2Verify compares the derived hashes in constant time. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  try {
    return await argon2Verify({ password, hash: encoded });
  } catch {
    return false;
  }
}

/**
 * A PHC string for no one, so a login for an unknown user spends the same argon2 time as one for
 * a real user and the answer time does not tell whether the name exists.
 */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(24).toString('base64'));
  return decoy;
}
