import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SlipwayError } from '../../shared/errors.js';
import type { SealedSecret, SecretIdentity, WrappedKey } from '../../model/sealed-secret.js';
import type { MasterKey } from './master-key.js';

export type { SealedSecret, SecretIdentity, WrappedKey } from '../../model/sealed-secret.js';

const algorithm = 'aes-256-gcm';

/** Unambiguous AAD: JSON of the identity, with a purpose prefix so a wrapped key is never accepted as a value. */
function aad(purpose: 'value' | 'key', id: SecretIdentity): Buffer {
  return Buffer.from(
    `slipway-secret-${purpose}:${JSON.stringify([id.project, id.environment, id.name, id.version])}`,
    'utf8',
  );
}

function encrypt(key: Buffer, plaintext: Buffer, additional: Buffer): { ciphertext: Buffer; iv: Buffer; tag: Buffer } {
  const iv = randomBytes(12);
  const cipher = createCipheriv(algorithm, key, iv);
  cipher.setAAD(additional);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { ciphertext, iv, tag: cipher.getAuthTag() };
}

function decrypt(
  key: Buffer,
  sealed: { ciphertext: Buffer; iv: Buffer; tag: Buffer },
  additional: Buffer,
): Buffer | undefined {
  try {
    const decipher = createDecipheriv(algorithm, key, sealed.iv);
    decipher.setAAD(additional);
    decipher.setAuthTag(sealed.tag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
  } catch {
    return undefined;
  }
}

function describe(id: SecretIdentity): string {
  return `secret ${id.name} (version ${id.version}) of ${id.project}/${id.environment}`;
}

/** Wrap a data key under a master key. */
export function wrapDataKey(dataKey: Buffer, id: SecretIdentity, master: MasterKey): WrappedKey {
  const { ciphertext, iv, tag } = encrypt(master.key, dataKey, aad('key', id));
  return { wrappedKey: ciphertext, keyIv: iv, keyTag: tag, masterKeyId: master.id };
}

/** The data key of a row; `keys` finds the master key by the id the row records. */
export function unwrapDataKey(
  wrapped: WrappedKey,
  id: SecretIdentity,
  keys: (id: string) => MasterKey | undefined,
): Buffer {
  const master = keys(wrapped.masterKeyId);
  if (!master) {
    throw new SlipwayError(
      'unavailable',
      `${describe(id)} is encrypted under master key ${wrapped.masterKeyId}, which this coordinator does not have; ` +
        `restore the key file (master.key, master.key.previous or master.key.next in the data directory) or ` +
        `SLIPWAY_MASTER_KEY that holds it`,
      { masterKeyId: wrapped.masterKeyId },
    );
  }
  const dataKey = decrypt(
    master.key,
    { ciphertext: wrapped.wrappedKey, iv: wrapped.keyIv, tag: wrapped.keyTag },
    aad('key', id),
  );
  if (!dataKey)
    throw new SlipwayError(
      'failed',
      `${describe(id)}: its data key does not decrypt under master key ${master.id} (the row was altered or moved)`,
    );
  return dataKey;
}

/** Encrypt a value under a fresh data key, and wrap that key under the master key. */
export function sealSecret(value: string, id: SecretIdentity, master: MasterKey): SealedSecret {
  const dataKey = randomBytes(32);
  try {
    return { ...encrypt(dataKey, Buffer.from(value, 'utf8'), aad('value', id)), ...wrapDataKey(dataKey, id, master) };
  } finally {
    dataKey.fill(0);
  }
}

/** Decrypt a sealed value. Throws when the row was altered, swapped with another, or its master key is missing. */
export function openSecret(
  sealed: SealedSecret,
  id: SecretIdentity,
  keys: (id: string) => MasterKey | undefined,
): string {
  const dataKey = unwrapDataKey(sealed, id, keys);
  try {
    const plaintext = decrypt(dataKey, sealed, aad('value', id));
    if (!plaintext) throw new SlipwayError('failed', `${describe(id)} does not decrypt (the row was altered or moved)`);
    return plaintext.toString('utf8');
  } finally {
    dataKey.fill(0);
  }
}

/** The same data key wrapped under another master key; the value's ciphertext is untouched. */
export function rewrapSecret(
  sealed: WrappedKey,
  id: SecretIdentity,
  keys: (id: string) => MasterKey | undefined,
  to: MasterKey,
): WrappedKey {
  const dataKey = unwrapDataKey(sealed, id, keys);
  try {
    return wrapDataKey(dataKey, id, to);
  } finally {
    dataKey.fill(0);
  }
}
