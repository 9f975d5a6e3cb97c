import type { FastifyRequest } from 'fastify';
import { loadMfaEnvironments } from '../access/mfa.js';
import { csrfMatches, sessionPrincipal } from '../access/sessions.js';
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
 */
export async function sessionAuth(db: Queryable, req: FastifyRequest, cookieValue: string): Promise<void> {
  const found = await sessionPrincipal(db, cookieValue);
  if (!found)
    throw new SlipwayError(
      'unauthorized',
      'the login session expired or was ended: log in again (POST /api/v1/auth/login)',
    );
  req.principal = { tokenId: found.tokenId, name: found.name, grants: found.grants };
  req.session = found.identity;
  req.activeSession = found.session;
  if (stateChanging.has(req.method)) {
    const header = req.headers['x-csrf-token'];
    if (!csrfMatches(found.session, typeof header === 'string' ? header : undefined)) {
      throw new SlipwayError(
        'forbidden',
        'missing or invalid CSRF token: send the csrfToken from login or GET /api/v1/auth/session as the ' +
          'x-csrf-token header',
      );
    }
  }
  if (!found.identity.mfa) req.mfaEnvironments = await loadMfaEnvironments(db);
}
