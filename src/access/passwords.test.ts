import { describe, expect, it } from 'vitest';
import { checkPassword, hashPassword, verifyPassword } from './passwords.js';

describe('passwords', () => {
  it('hashes with argon2id into a PHC string that verifies only the same password', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=65536,t=3,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(hash).not.toContain('correct horse');
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
    // Salted: the same password twice gives two hashes.
    expect(await hashPassword('correct horse battery')).not.toBe(hash);
  });

  it('verifies hashes stored by earlier versions (made with hash-wasm, parameters read from the string)', async () => {
    const stored = '$argon2id$v=19$m=65536,t=3,p=1$yzQ+I/TrG+YIRv44tMi1KA$zJCgc5al7jcFFaoN8cyvy1a+fjApwzU+89mcLxS2oaY';
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
  });

  it('a malformed stored hash is a mismatch, not a crash', async () => {
    expect(await verifyPassword('whatever password', 'not-a-phc-string')).toBe(false);
  });

  it('refuses passwords shorter than 12 characters', () => {
    expect(() => checkPassword('elevenchars')).toThrow('the password must be at least 12 characters');
    expect(() => checkPassword('twelve chars')).not.toThrow();
  });
});
