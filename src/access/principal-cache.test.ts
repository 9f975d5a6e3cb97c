import { describe, expect, it } from 'vitest';
import { PrincipalCache, type CachedPrincipal } from './principal-cache.js';

const principal = (tokenId: string, name = tokenId): CachedPrincipal => ({
  principal: { tokenId, name, grants: [{ role: 'viewer', environments: '*' }] },
  hash: 'ab'.repeat(32),
});

describe('PrincipalCache', () => {
  it('keeps a principal for less than its bound, and not past its credential end', () => {
    let now = 1_000_000;
    const cache = new PrincipalCache(5000, 10, () => now);
    cache.set('token:a', principal('tok_a'), cache.generation);
    cache.set('token:b', { ...principal('tok_b'), expiresAt: now + 1000 }, cache.generation);
    now += 999;
    expect(cache.get('token:a')?.principal.tokenId).toBe('tok_a');
    expect(cache.get('token:b')?.principal.tokenId).toBe('tok_b');
    now += 1;
    expect(cache.get('token:b')).toBeUndefined();
    now += 3999;
    expect(cache.get('token:a')).toBeDefined();
    now += 1;
    expect(cache.get('token:a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('holds at most maxEntries, dropping the oldest', () => {
    const cache = new PrincipalCache(5000, 3);
    for (const k of ['a', 'b', 'c', 'd']) cache.set(`token:${k}`, principal(`tok_${k}`), cache.generation);
    expect(cache.size).toBe(3);
    expect(cache.get('token:a')).toBeUndefined();
    expect(cache.get('token:d')).toBeDefined();
  });

  it('forgets by token, by session and by subject', () => {
    const cache = new PrincipalCache();
    const session = (id: string, subject: string): CachedPrincipal => ({
      ...principal(`session:${id.slice(0, 12)}`, subject),
      session: {
        identity: { kind: 'local', subject, name: subject, grants: [], mfa: false },
        active: {
          id,
          identity: { kind: 'local', subject, name: subject, grants: [], mfa: false },
          csrfToken: 'x',
          expiresAt: new Date(Date.now() + 60_000),
        },
      },
    });
    cache.set('token:a', principal('tok_a'), cache.generation);
    cache.set('session:1', session('1'.repeat(64), 'bob'), cache.generation);
    cache.set('session:2', session('2'.repeat(64), 'bob'), cache.generation);
    cache.set('session:3', session('3'.repeat(64), 'erin'), cache.generation);
    cache.forgetToken('tok_a');
    expect(cache.get('token:a')).toBeUndefined();
    cache.forgetSession('3'.repeat(64));
    expect(cache.get('session:3')).toBeUndefined();
    expect(cache.get('session:1')).toBeDefined();
    cache.forgetSubject('bob');
    expect(cache.size).toBe(0);
  });

  it('does not keep a lookup that started before an invalidation (a revoke racing a request)', () => {
    const cache = new PrincipalCache();
    const before = cache.generation;
    cache.forgetToken('tok_a'); // the revoke lands while the request's store lookup is in flight
    cache.set('token:a', principal('tok_a'), before);
    expect(cache.get('token:a')).toBeUndefined();
    cache.set('token:a', principal('tok_a'), cache.generation);
    expect(cache.get('token:a')).toBeDefined();
  });
});
