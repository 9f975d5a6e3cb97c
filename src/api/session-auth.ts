import type { FastifyRequest } from 'fastify';
import { loadMfaEnvironments, mayNeedMfa } from '../access/mfa.js';
import type { PrincipalCache } from '../access/principal-cache.js';
import { csrfMatches, sessionIdOf, sessionPrincipal } from '../access/sessions.js';
import { SlipwayError } from '../shared/errors.js';
import type { Queryable } from '../store/db.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Environments where this session needs a second factor (loaded only for sessions without one). */
    mfaEnvironments?: readonly string[];
  }
}

const stateChanging = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Authenticate a request by its session cookie (no Authorization header). A cookie is sent by
 * the browser on its own, so state-changing requests must also prove they came from the page
 * that logged in: the `x-csrf-token` header (bearer tokens need no such proof: nothing sends
 * them implicitly).
 *
 * A session found in the store is reused from `principals` for a few seconds (keyed by the cookie's hash); the store's
 * idle deadline moves on each lookup, so it lags the last request by at most that bound.
 */
export async function sessionAuth(
  db: Queryable,
  req: FastifyRequest,
  cookieValue: string,
  principals: PrincipalCache,
): Promise<void> {
  const key = `session:${sessionIdOf(cookieValue)}`;
  let found = principals.get(key);
  if (!found) {
    const generation = principals.generation;
    const stored = await sessionPrincipal(db, cookieValue);
    if (!stored)
      throw new SlipwayError(
        'unauthorized',
        'the login session expired or was ended: log in again (POST /api/v1/auth/login)',
      );
    found = {
      principal: { tokenId: stored.tokenId, name: stored.name, grants: stored.grants },
      hash: stored.session.id,
      expiresAt: stored.session.expiresAt.getTime(),
      session: { identity: stored.identity, active: stored.session },
    };
    principals.set(key, found, generation);
  }
  req.principal = found.principal;
  req.session = found.session!.identity;
  req.activeSession = found.session!.active;
  if (stateChanging.has(req.method)) {
    const header = req.headers['x-csrf-token'];
    if (!csrfMatches(found.session!.active, typeof header === 'string' ? header : undefined)) {
      throw new SlipwayError(
        'forbidden',
        'missing or invalid CSRF token: send the csrfToken from login or GET /api/v1/auth/session as the ' +
          'x-csrf-token header',
      );
    }
  }
  // The projects' second-factor lists are read only when this route could need them (approver or admin actions).
  const access = req.routeOptions.config?.access;
  if (!req.session.mfa && access && mayNeedMfa(access)) req.mfaEnvironments = await loadMfaEnvironments(db);
}
