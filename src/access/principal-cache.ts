import type { ActiveSession } from './sessions.js';
import type { SessionIdentity } from './identity.js';
import type { Principal } from './types.js';

/**
 * How long an authenticated principal is reused without asking the store again. A revoke, a disabled user or a
 * logout in this coordinator forgets it at once; one made through another coordinator on the same PostgreSQL (or
 * written to the store by hand) takes effect here within this bound.
 */
export const principalCacheMaxAgeMs = 5000;
/** At most this many principals are kept (oldest dropped first): a flood of distinct valid tokens cannot grow it. */
export const principalCacheMaxEntries = 1000;

/** What an authenticated request found: the principal, and for a login session the session itself. */
export interface CachedPrincipal {
  principal: Principal;
  /** sha256 hex of the presented token or cookie: compared again in constant time on every hit. */
  hash: string;
  /** The token's or session's own end (ms since the epoch): checked on every hit. */
  expiresAt?: number;
  session?: { identity: SessionIdentity; active: ActiveSession };
}

interface Entry extends CachedPrincipal {
  storedAt: number;
}

/**
 * Principals of recent requests, keyed by the sha256 of their token or session cookie (never the token or cookie
 * itself), so most requests authenticate without a round trip to the store. Only successful lookups are kept:
 * unknown, revoked and expired credentials always reach the store (and the audit log as denied).
 *
 * A lookup that started before an invalidation is not stored when it ends (`generation`): a revoke racing with a
 * request cannot leave the revoked principal behind.
 */
export class PrincipalCache {
  private readonly entries = new Map<string, Entry>();
  private generationCount = 0;

  constructor(
    private readonly maxAgeMs = principalCacheMaxAgeMs,
    private readonly maxEntries = principalCacheMaxEntries,
    private readonly now: () => number = Date.now,
  ) {}

  /** Read before a store lookup and passed to `set`, so an invalidation in between wins. */
  get generation(): number {
    return this.generationCount;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The principal stored under `key` while it is younger than the bound and its credential has not ended. */
  get(key: string): CachedPrincipal | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    const now = this.now();
    if (now - entry.storedAt >= this.maxAgeMs || (entry.expiresAt !== undefined && entry.expiresAt <= now)) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Keep what a store lookup found, unless something was invalidated since `generation` was read. */
  set(key: string, found: CachedPrincipal, generation: number): void {
    if (generation !== this.generationCount) return;
    this.entries.delete(key);
    this.entries.set(key, { ...found, storedAt: this.now() });
    // Maps iterate in insertion order: the first keys are the oldest.
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /** A token was revoked (or changed): forget every principal it authenticated. */
  forgetToken(tokenId: string): void {
    this.forget((e) => e.principal.tokenId === tokenId);
  }

  /** A login session ended (logout): `sessionId` is the sha256 hex of its cookie. */
  forgetSession(sessionId: string): void {
    this.forget((e) => e.session?.active.id === sessionId);
  }

  /** A user was disabled or their password changed: forget their sessions. */
  forgetSubject(subject: string): void {
    this.forget((e) => e.session?.identity.subject === subject || e.principal.name === subject);
  }

  /** Forget everything (grants changed in a way no narrower call describes). */
  clear(): void {
    this.generationCount++;
    this.entries.clear();
  }

  private forget(matches: (e: Entry) => boolean): void {
    this.generationCount++;
    for (const [key, entry] of this.entries) if (matches(entry)) this.entries.delete(key);
  }
}
