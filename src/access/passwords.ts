import { randomBytes } from 'node:crypto';
import type { Algorithm } from '@node-rs/argon2';
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

/** Loaded when a password is first hashed or checked: most coordinators and commands never do (~80 ms of CPU). */
const argon2 = () => import('@node-rs/argon2');

// The package's `Algorithm` is an ambient const enum, which verbatimModuleSyntax cannot read: its Argon2id is 2.
const argon2id = 2 as Algorithm;

/**
 * argon2id (OWASP's second configuration: 64 MiB, 3 passes, 1 lane) as an encoded PHC string. @node-rs/argon2
 * computes it natively on libuv's thread pool: 111 ms of CPU per hash on this machine against 666 ms for hash-wasm
 * (WebAssembly on the main thread), used before — logins and the test suite's users cost a sixth.
 */
export async function hashPassword(password: string): Promise<string> {
  const { hash } = await argon2();
  return hash(password, {
    algorithm: argon2id,
    salt: randomBytes(16),
    parallelism: 1,
    timeCost: 3,
    memoryCost: 65536,
    outputLen: 32,
  });
}

/**
 * Does `password` match the PHC string? The parameters come from the string (hashes made by hash-wasm verify the
 * same); the derived hashes are compared in constant time by the argon2 crate.
 */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const { verify } = await argon2();
  try {
    return await verify(encoded, password);
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
