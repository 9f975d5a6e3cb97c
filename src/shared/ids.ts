import { randomBytes } from 'node:crypto';

/**
 * Ids are short, sortable by creation time and say what they name:
 * `dep_01jd…`, `ins_01jd…`. Time prefix (ms, base32) + 10 random bytes.
 */
const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';

function base32(n: bigint, width: number): string {
  let out = '';
  for (let i = 0; i < width; i++) {
    out = alphabet[Number(n & 31n)] + out;
    n >>= 5n;
  }
  return out;
}

/** A new id with the given prefix, e.g. newId('dep'). */
export function newId(prefix: string, now = Date.now()): string {
  const rand = BigInt(`0x${randomBytes(10).toString('hex')}`);
  return `${prefix}_${base32(BigInt(now), 10)}${base32(rand, 16)}`;
}
