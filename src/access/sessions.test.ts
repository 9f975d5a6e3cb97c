import { fastifyCookie } from '@fastify/cookie';

const { serialize } = fastifyCookie;
import type { FastifyReply } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb } from '../../test/support/store.js';
import type { Db } from '../store/db.js';
import type { SessionIdentity } from './identity.js';
import {
  absoluteTimeoutMs,
  csrfMatches,
  endSession,
  idleTimeoutMs,
  sessionPrincipal,
  startSession,
} from './sessions.js';

/** Sessions against a real (PGlite) store, with the clock passed in. */
let db: Db;
beforeAll(async () => {
  db = await freshDb();
}, 60_000);
afterAll(async () => {
  await db?.close();
});

const alice: SessionIdentity = {
  kind: 'local',
  subject: 'alice',
  name: 'alice',
  grants: [{ role: 'approver', environments: ['production'] }],
  mfa: true,
};

/** A reply that only records the cookie it is given, serialized as @fastify/cookie's reply.setCookie does. */
function fakeReply(): { reply: FastifyReply; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  const reply = {
    setCookie: (name: string, value: string, options: Parameters<typeof serialize>[2]) => {
      headers['set-cookie'] = serialize(name, value, options);
      return reply;
    },
  } as unknown as FastifyReply;
  return { reply, headers };
}
const cookieValueOf = (setCookie: string) => /^slipway_session=([^;]+);/.exec(setCookie)![1]!;

describe('login sessions', () => {
  it(
    'the cookie is Secure, HttpOnly, SameSite=Strict; only its hash is stored; the principal carries the ' + 'grants',
    async () => {
      const t0 = Date.UTC(2026, 10, 26, 9);
      const { reply, headers } = fakeReply();
      const { csrfToken, expiresAt } = await startSession(reply, db, alice, { now: t0 });
      expect(headers['set-cookie']).toMatch(
        /^slipway_session=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; HttpOnly; Secure; SameSite=Strict$/,
      );
      expect(expiresAt.getTime()).toBe(t0 + absoluteTimeoutMs);
      const value = cookieValueOf(headers['set-cookie']!);
      const { rows } = await db.query(`select t::text as row from sessions t`);
      expect(rows.map((r) => r.row).join()).not.toContain(value);
      expect(rows.map((r) => r.row).join()).not.toContain(csrfToken);

      const p = await sessionPrincipal(db, value, t0 + 1000);
      expect(p).toMatchObject({ name: 'alice', grants: alice.grants, identity: alice });
      expect(p!.tokenId).toMatch(/^session:[0-9a-f]{12}$/);
      expect(csrfMatches(p!.session, csrfToken)).toBe(true);
      expect(csrfMatches(p!.session, `${csrfToken.slice(0, -1)}x`)).toBe(false);
      expect(csrfMatches(p!.session, undefined)).toBe(false);
      expect(await sessionPrincipal(db, `${value}x`, t0 + 1000)).toBeUndefined();
    },
  );

  it('ends after 30 idle minutes; each use moves the idle deadline; never past 12 hours', async () => {
    const t0 = Date.UTC(2026, 10, 26, 10);
    const { reply, headers } = fakeReply();
    await startSession(reply, db, alice, { now: t0 });
    const value = cookieValueOf(headers['set-cookie']!);
    // Used every 20 minutes: alive for 11 h 40 min, refused at 12 h.
    let t = t0;
    for (; t + 20 * 60_000 < t0 + absoluteTimeoutMs; t += 20 * 60_000)
      expect(await sessionPrincipal(db, value, t + 20 * 60_000)).toBeDefined();
    expect(await sessionPrincipal(db, value, t0 + absoluteTimeoutMs)).toBeUndefined();

    const idle = fakeReply();
    await startSession(idle.reply, db, alice, { now: t0 });
    const idleValue = cookieValueOf(idle.headers['set-cookie']!);
    expect(await sessionPrincipal(db, idleValue, t0 + idleTimeoutMs - 1)).toBeDefined();
    expect(await sessionPrincipal(db, idleValue, t0 + 2 * idleTimeoutMs - 2)).toBeDefined();
    expect(await sessionPrincipal(db, idleValue, t0 + 3 * idleTimeoutMs)).toBeUndefined();
  });

  it('endSession revokes it and clears the cookie', async () => {
    const t0 = Date.UTC(2026, 10, 26, 11);
    const { reply, headers } = fakeReply();
    await startSession(reply, db, alice, { now: t0 });
    const value = cookieValueOf(headers['set-cookie']!);
    const out = fakeReply();
    await endSession(out.reply, db, value, t0 + 1000);
    expect(out.headers['set-cookie']).toMatch(/^slipway_session=; Max-Age=0;/);
    expect(await sessionPrincipal(db, value, t0 + 2000)).toBeUndefined();
  });
});
