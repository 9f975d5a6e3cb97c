import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Queryable } from '../store/db.js';
import { findSession, insertSession, revokeSession, touchSession } from '../store/repos/sessions.js';
import type { SessionIdentity } from './identity.js';
import type { Principal } from './types.js';

/**
 * Login sessions for people (the dashboard): a random cookie whose sha256 is the row id, so the
 * store never holds a usable cookie. The cookie is always `Secure` (serve the dashboard over
 * https; browsers also accept Secure cookies from http://localhost), `HttpOnly` (scripts cannot
 * read it) and `SameSite=Strict` (other sites cannot make the browser send it). Sessions end
 * after 30 minutes without a request, and 12 hours after login whatever happens.
 */

export const sessionCookie = 'slipway_session';
export const idleTimeoutMs = 30 * 60_000;
export const absoluteTimeoutMs = 12 * 60 * 60_000;

/** A session as the request hooks see it. */
export interface ActiveSession {
  /** sha256 hex of the cookie value. */
  id: string;
  identity: SessionIdentity;
  csrfToken: string;
  expiresAt: Date;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is logged in, when the request came with a session cookie instead of a bearer token. */
    session?: SessionIdentity;
    activeSession?: ActiveSession;
  }
}

// @fastify/cookie's serialize needs its plugin registered first; the attributes are fixed, so they are written out.
/** The session cookie's attributes (@fastify/cookie writes the header): only over https, never to scripts or other
 * sites. */
const cookieOptions = (maxAgeSeconds: number) =>
  ({ maxAge: maxAgeSeconds, path: '/', httpOnly: true, secure: true, sameSite: 'strict' }) as const;
/** A session's row id: the sha256 hex of its cookie (what caches and the store key it by). */
export const sessionIdOf = (cookieValue: string) => createHash('sha256').update(cookieValue).digest('hex');
// The double-submit token is derived from a per-session secret kept server-side: it can be
// handed out again (GET /api/v1/auth/session) without storing the token itself.
const csrfTokenOf = (secret: string, id: string) =>
  createHmac('sha256', secret).update(`slipway-csrf:${id}`).digest('base64url');

/**
 * Start a session for `identity`: sets the `slipway_session` cookie on `reply` and returns the
 * CSRF token the client must send as `x-csrf-token` on state-changing requests.
 * @example const { csrfToken } = await startSession(reply, db, { kind: 'local', subject: 'alice', name: 'alice',
 * grants, mfa: true });
 */
export async function startSession(
  reply: FastifyReply,
  db: Queryable,
  identity: SessionIdentity,
  options: { now?: number } = {},
): Promise<{ csrfToken: string; expiresAt: Date }> {
  const now = options.now ?? Date.now();
  const value = randomBytes(32).toString('base64url');
  const id = sessionIdOf(value);
  const csrfSecret = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now + absoluteTimeoutMs);
  await insertSession(db, { id, identity, csrfSecret, createdAt: new Date(now), expiresAt, lastSeenAt: new Date(now) });
  reply.setCookie(sessionCookie, value, cookieOptions(absoluteTimeoutMs / 1000));
  return { csrfToken: csrfTokenOf(csrfSecret, id), expiresAt };
}

/** The session cookie's value on a request, if any. */
export function sessionCookieOf(req: FastifyRequest): string | undefined {
  // Parsed by @fastify/cookie; our values are base64url, anything else is not one of ours.
  const value = req.cookies?.[sessionCookie];
  return value && /^[A-Za-z0-9_-]{1,100}$/.test(value) ? value : undefined;
}

/**
 * The session a cookie value belongs to, when it is still valid at `now` (not revoked, not idle
 * for 30 minutes, not older than 12 hours); each valid use moves the idle deadline.
 */
export async function findActiveSession(
  db: Queryable,
  cookieValue: string,
  now = Date.now(),
): Promise<ActiveSession | undefined> {
  const id = sessionIdOf(cookieValue);
  const record = await findSession(db, id);
  if (!record || record.revokedAt) return undefined;
  if (record.expiresAt.getTime() <= now || now - record.lastSeenAt.getTime() >= idleTimeoutMs) return undefined;
  await touchSession(db, id, new Date(now));
  return { id, identity: record.identity, csrfToken: csrfTokenOf(record.csrfSecret, id), expiresAt: record.expiresAt };
}

/** The principal of a session cookie (grants fixed at login), or undefined when it is not valid. */
export async function sessionPrincipal(
  db: Queryable,
  cookieValue: string,
  now = Date.now(),
): Promise<(Principal & { identity: SessionIdentity; session: ActiveSession }) | undefined> {
  const session = await findActiveSession(db, cookieValue, now);
  if (!session) return undefined;
  // A prefix of the row id (a hash of the cookie) names the session in the audit log; never the cookie.
  return {
    tokenId: `session:${session.id.slice(0, 12)}`,
    name: session.identity.name,
    grants: session.identity.grants,
    identity: session.identity,
    session,
  };
}

/** Does the presented `x-csrf-token` match the session's (constant time)? */
export function csrfMatches(session: ActiveSession, presented: string | undefined): boolean {
  if (!presented) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(session.csrfToken);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** End the session of `cookieValue` (if any) and tell the browser to drop the cookie. */
export async function endSession(
  reply: FastifyReply,
  db: Queryable,
  cookieValue: string | undefined,
  now = Date.now(),
): Promise<void> {
  if (cookieValue) await revokeSession(db, sessionIdOf(cookieValue), new Date(now));
  reply.setCookie(sessionCookie, '', cookieOptions(0));
}
