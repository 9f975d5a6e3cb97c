import { describe, expect, it } from 'vitest';
import { openSecret, rewrapSecret, sealSecret, type SecretIdentity } from './envelope.js';
import { generateMasterKey, masterKeyId, parseMasterKey } from './master-key.js';

const id: SecretIdentity = { project: 'harbor', environment: 'production', name: 'STRIPE_KEY', version: 1 };
const master = generateMasterKey();
const keys =
  (k = master) =>
  (wanted: string) =>
    wanted === k.id ? k : undefined;

describe('secret envelope', () => {
  it('round-trips a value, and the stored parts hold no plaintext', () => {
    const value = 'sk_live_plaintext-ünïcode';
    const sealed = sealSecret(value, id, master);
    expect(openSecret(sealed, id, keys())).toBe(value);
    expect(sealed.masterKeyId).toBe(master.id);
    expect([sealed.iv.length, sealed.tag.length, sealed.keyIv.length, sealed.keyTag.length]).toEqual([12, 16, 12, 16]);
    for (const part of [sealed.ciphertext, sealed.wrappedKey])
      expect(part.includes(Buffer.from('plaintext'))).toBe(false);
    // A fresh data key and IV every time: equal values do not look equal at rest.
    expect(sealSecret(value, id, master).ciphertext.equals(sealed.ciphertext)).toBe(false);
  });

  it('a tampered ciphertext, tag or wrapped key fails to decrypt', () => {
    const sealed = sealSecret('value', id, master);
    const flip = (b: Buffer) => Buffer.from(b.map((x, i) => (i === 0 ? x ^ 1 : x)));
    expect(() => openSecret({ ...sealed, ciphertext: flip(sealed.ciphertext) }, id, keys())).toThrow(
      /secret STRIPE_KEY \(version 1\) of harbor\/production does not decrypt/,
    );
    expect(() => openSecret({ ...sealed, tag: flip(sealed.tag) }, id, keys())).toThrow(/does not decrypt/);
    expect(() => openSecret({ ...sealed, wrappedKey: flip(sealed.wrappedKey) }, id, keys())).toThrow(
      /its data key does not decrypt under master key/,
    );
  });

  it('a row moved to another identity (name, environment, version) fails: the identity is the AAD', () => {
    const sealed = sealSecret('value', id, master);
    for (const other of [
      { ...id, name: 'OTHER' },
      { ...id, environment: 'staging' },
      { ...id, version: 2 },
      { ...id, project: 'other' },
    ]) {
      expect(() => openSecret(sealed, other, keys())).toThrow(/does not decrypt/);
    }
    // Swapping only the value ciphertext between two rows fails too: each has its own data key.
    const two = { ...id, name: 'OTHER' };
    const sealedTwo = sealSecret('other', two, master);
    expect(() =>
      openSecret({ ...sealed, ciphertext: sealedTwo.ciphertext, iv: sealedTwo.iv, tag: sealedTwo.tag }, id, keys()),
    ).toThrow(/does not decrypt/);
  });

  it('a row under a master key this coordinator lacks names that key id', () => {
    const sealed = sealSecret('value', id, master);
    const other = generateMasterKey();
    expect(() => openSecret(sealed, id, keys(other))).toThrow(
      new RegExp(`encrypted under master key ${master.id}, which this coordinator does not have`),
    );
    // A wrong key that claims the right id is caught by the tag.
    expect(() => openSecret(sealed, id, () => ({ id: master.id, key: other.key }))).toThrow(
      /its data key does not decrypt/,
    );
  });

  it('re-wrapping changes only the wrapped key, and the value then needs the new master key', () => {
    const sealed = sealSecret('value', id, master);
    const next = generateMasterKey();
    const rewrapped = { ...sealed, ...rewrapSecret(sealed, id, keys(), next) };
    expect(rewrapped.ciphertext.equals(sealed.ciphertext)).toBe(true);
    expect(rewrapped.masterKeyId).toBe(next.id);
    expect(openSecret(rewrapped, id, keys(next))).toBe('value');
    expect(() => openSecret(rewrapped, id, keys())).toThrow(/does not have/);
  });
});

describe('master keys', () => {
  it('the id is the first 8 hex digits of sha256(key)', () => {
    const key = Buffer.alloc(32, 7);
    expect(masterKeyId(key)).toMatch(/^[0-9a-f]{8}$/);
    expect(parseMasterKey(key.toString('base64'), 'SLIPWAY_MASTER_KEY')).toEqual({ id: masterKeyId(key), key });
  });

  it('refuses a key that is not base64 of 32 bytes, without quoting it', () => {
    expect(() => parseMasterKey(Buffer.alloc(16).toString('base64'), 'SLIPWAY_MASTER_KEY')).toThrow(
      /SLIPWAY_MASTER_KEY must be the base64 of 32 random bytes .* but it decodes to 16 bytes/,
    );
    let message = '';
    try {
      parseMasterKey('not-a-key!!', 'SLIPWAY_MASTER_KEY');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/but it is not base64$/);
    expect(message).not.toContain('not-a-key');
  });
});
