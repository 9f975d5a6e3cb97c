import * as OTPAuth from 'otpauth';
import { describe, expect, it } from 'vitest';
import { generateMasterKey } from './secrets/master-key.js';
import { Keyring } from './secrets/keyring.js';
import { checkTotp, newTotpSecret, rewrapTotp } from './totp.js';

const keyring = new Keyring(generateMasterKey());
const codeAt = (uri: string, timestamp: number) => (OTPAuth.URI.parse(uri) as OTPAuth.TOTP).generate({ timestamp });

describe('TOTP', () => {
  it(
    'the enrollment URI is RFC 6238 (SHA1, 6 digits, 30 s) and its current code validates against the sealed ' +
      'secret',
    () => {
      const { uri, sealed } = newTotpSecret('alice', keyring);
      expect(uri).toMatch(/^otpauth:\/\/totp\/Slipway:alice\?/);
      expect(uri).toContain('algorithm=SHA1');
      expect(uri).toContain('digits=6');
      expect(uri).toContain('period=30');
      const secret = new URL(uri).searchParams.get('secret')!;
      expect(JSON.stringify(sealed)).not.toContain(secret);
      const now = Date.UTC(2026, 10, 26, 12, 0, 0);
      expect(checkTotp('alice', sealed, codeAt(uri, now), keyring, now)).toBe(true);
      // One period of drift either way is accepted, two is not.
      expect(checkTotp('alice', sealed, codeAt(uri, now - 30_000), keyring, now)).toBe(true);
      expect(checkTotp('alice', sealed, codeAt(uri, now - 90_000), keyring, now)).toBe(false);
    },
  );

  it('a wrong or malformed code is refused', () => {
    const { uri, sealed } = newTotpSecret('alice', keyring);
    const now = Date.now();
    const right = codeAt(uri, now);
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
    expect(checkTotp('alice', sealed, wrong, keyring, now)).toBe(false);
    expect(checkTotp('alice', sealed, `${right} `, keyring, now)).toBe(false);
  });

  it("one user's sealed secret does not open as another's (the name is bound in)", () => {
    const { uri, sealed } = newTotpSecret('alice', keyring);
    expect(() => checkTotp('mallory', sealed, codeAt(uri, Date.now()), keyring)).toThrow(/does not decrypt/);
  });

  it('master key rotation re-wraps the secret: it opens with the new key alone, and the code is the same', () => {
    const old = new Keyring(generateMasterKey());
    const { uri, sealed } = newTotpSecret('carol', old);
    const next = generateMasterKey();
    const moved = rewrapTotp('carol', sealed, old, next);
    expect(moved.masterKeyId).toBe(next.id);
    expect(moved.ciphertext).toBe(sealed.ciphertext);
    const now = Date.now();
    expect(checkTotp('carol', moved, codeAt(uri, now), new Keyring(next), now)).toBe(true);
    expect(() => checkTotp('carol', sealed, codeAt(uri, now), new Keyring(next), now)).toThrow();
  });
});
