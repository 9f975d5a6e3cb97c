import * as OTPAuth from 'otpauth';
import { openSecret, rewrapSecret, sealSecret, type SealedSecret, type SecretIdentity } from './secrets/envelope.js';
import type { MasterKey } from './secrets/master-key.js';
import type { Keyring } from './secrets/keyring.js';
import type { StoredSealed } from '../store/repos/users.js';

/**
 * TOTP (RFC 6238: SHA-1, 6 digits, 30 s) for local users. The shared secret is sealed with the
 * secrets vault's envelope under the master key; the user name is bound into the ciphertext, so
 * one user's sealed secret copied onto another's row does not open.
 */

// The envelope's identity names a project secret; users live outside projects, so a reserved
// project name (not a valid project name: it starts with '~') keeps the AAD distinct.
const identityOf = (user: string): SecretIdentity => ({
  project: '~users',
  environment: 'totp',
  name: user,
  version: 1,
});

function totpOf(user: string, secret: OTPAuth.Secret): OTPAuth.TOTP {
  return new OTPAuth.TOTP({ issuer: 'Slipway', label: user, algorithm: 'SHA1', digits: 6, period: 30, secret });
}

/** A new secret for `user`: the otpauth:// URI to show once, and the sealed form to store. */
export function newTotpSecret(user: string, keyring: Keyring): { uri: string; sealed: StoredSealed } {
  const secret = new OTPAuth.Secret({ size: 20 });
  const sealed = sealSecret(secret.base32, identityOf(user), keyring.current);
  return { uri: totpOf(user, secret).toString(), sealed: toStored(sealed) };
}

/** Does `code` match the user's secret at `now` (one period either side for clock drift)? */
export function checkTotp(
  user: string,
  sealed: StoredSealed,
  code: string,
  keyring: Keyring,
  now = Date.now(),
): boolean {
  return totpStep(user, sealed, code, keyring, now) !== null;
}

/**
 * The time step (30-s counter) `code` belongs to, or null when it matches none within one period
 * of `now`. Login records the last step used, so a code seen once (over a shoulder, in a proxy
 * log) cannot be replayed within its window.
 */
export function totpStep(
  user: string,
  sealed: StoredSealed,
  code: string,
  keyring: Keyring,
  now = Date.now(),
): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const base32 = openSecret(fromStored(sealed), identityOf(user), (id) => keyring.find(id));
  const delta = totpOf(user, OTPAuth.Secret.fromBase32(base32)).validate({ token: code, timestamp: now, window: 1 });
  return delta === null ? null : Math.floor(now / 30_000) + delta;
}

/** The same secret with its data key wrapped under `to` (master key rotation); the value is never decrypted. */
export function rewrapTotp(user: string, sealed: StoredSealed, keyring: Keyring, to: MasterKey): StoredSealed {
  const current = fromStored(sealed);
  return toStored({ ...current, ...rewrapSecret(current, identityOf(user), (id) => keyring.find(id), to) });
}

function toStored(s: SealedSecret): StoredSealed {
  const b = (x: Buffer) => x.toString('base64');
  return {
    ciphertext: b(s.ciphertext),
    iv: b(s.iv),
    tag: b(s.tag),
    wrappedKey: b(s.wrappedKey),
    keyIv: b(s.keyIv),
    keyTag: b(s.keyTag),
    masterKeyId: s.masterKeyId,
  };
}

function fromStored(s: StoredSealed): SealedSecret {
  const b = (x: string) => Buffer.from(x, 'base64');
  return {
    ciphertext: b(s.ciphertext),
    iv: b(s.iv),
    tag: b(s.tag),
    wrappedKey: b(s.wrappedKey),
    keyIv: b(s.keyIv),
    keyTag: b(s.keyTag),
    masterKeyId: s.masterKeyId,
  };
}
