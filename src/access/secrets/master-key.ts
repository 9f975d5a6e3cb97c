import { createHash, randomBytes } from 'node:crypto';
import { SlipwayError } from '../../shared/errors.js';

/** A master key: 32 bytes and its id, which every secret row records so rotation can pick the key that wrapped it. */
export interface MasterKey {
  /** First 8 hex digits of sha256(key): names the key without revealing it. */
  id: string;
  key: Buffer;
}

export const masterKeyBytes = 32;

/** The id stored with every row wrapped under `key`. */
export function masterKeyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/** A new random master key. */
export function generateMasterKey(): MasterKey {
  const key = randomBytes(masterKeyBytes);
  return { id: masterKeyId(key), key };
}

/**
 * Decode a base64 master key (SLIPWAY_MASTER_KEY or a key file). `source` names where it came
 * from in the error; the text itself is never repeated.
 */
export function parseMasterKey(text: string, source: string): MasterKey {
  const trimmed = text.trim();
  const key = Buffer.from(trimmed, 'base64');
  // Buffer.from ignores junk silently: re-encoding shows whether the text was base64 at all.
  const canonical = key.toString('base64').replace(/=+$/, '') === trimmed.replace(/=+$/, '');
  if (!canonical || key.length !== masterKeyBytes) {
    const what = canonical ? `decodes to ${key.length} bytes` : 'is not base64';
    throw new SlipwayError(
      'invalid_input',
      `${source} must be the base64 of ${masterKeyBytes} random bytes (e.g. \`openssl rand -base64 32\`), but it ` +
        `${what}`,
    );
  }
  return { id: masterKeyId(key), key };
}
