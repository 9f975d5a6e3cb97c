import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { SlipwayError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import type { Queryable } from '../store/db.js';
import type { Grant, Principal } from '../access/types.js';
import { countActiveAdminTokens, findTokenByHash, insertToken } from '../store/repos/tokens.js';
import { sessionCookieOf } from '../access/sessions.js';
import { sessionAuth } from './session-auth.js';
import type { PrincipalCache } from '../access/principal-cache.js';

/** What the initial admin token and SLIPWAY_TOKEN may do: everything. */
export const adminGrants: Grant[] = [{ role: 'admin', environments: '*' }];

/** sha256 hex of a token: tokens are 256-bit random, so a fast hash is enough (no offline guessing). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A new API token: `slw_` + 32 random bytes, base64url. */
export function generateToken(): string {
  return `slw_${randomBytes(32).toString('base64url')}`;
}

/**
 * First start: make sure an admin token exists. `SLIPWAY_TOKEN` (when given) is registered;
 * otherwise, with no usable admin token on '*', one is generated and returned so the caller can
 * print it once (so revoking the last admin token locks nobody out for good: restarting the
 * coordinator, which needs the machine, prints a new one). Only the hash is stored.
 */
export async function ensureAdminToken(
  db: Queryable,
  fromEnv?: string,
  /** What events and the audit log call its holder (SLIPWAY_TOKEN_NAME); "admin" unless told otherwise. */
  name = 'admin',
): Promise<{ generated?: string }> {
  if (fromEnv) {
    if (fromEnv.length < 16) throw new SlipwayError('invalid_input', 'SLIPWAY_TOKEN must be at least 16 characters');
    await insertToken(db, { id: newId('tok'), name, hash: hashToken(fromEnv), grants: adminGrants });
    return {};
  }
  if ((await countActiveAdminTokens(db)) > 0) return {};
  const token = generateToken();
  await insertToken(db, { id: newId('tok'), name: 'initial admin token', hash: hashToken(token), grants: adminGrants });
  return { generated: token };
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** Fastify hook: every route but the public ones (`config.access.public`) needs `Authorization: Bearer <token>` or a
 * login session cookie (session-auth.ts). Principals found are reused for a few seconds (`principals`, keyed by the
 * token's hash), so most requests do not wait for the store. */
export function bearerAuth(db: Queryable, principals: PrincipalCache) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const access = req.routeOptions.config?.access;
    if (access?.public || access?.dsnKey) return;
    const header = req.headers.authorization;
    // People (the dashboard) come with a session cookie instead; a bearer header always wins.
    const cookie = header ? undefined : sessionCookieOf(req);
    if (cookie) return sessionAuth(db, req, cookie, principals);
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match)
      throw new SlipwayError(
        'unauthorized',
        'missing bearer token: send "Authorization: Bearer <token>" (the CLI reads SLIPWAY_TOKEN or the token file ' +
          '`slipway up` wrote)',
      );
    const presented = hashToken(match[1]!);
    const key = `token:${presented}`;
    const cached = principals.get(key);
    // The cache is keyed by the hash like the store's index; the same constant-time comparison follows a hit.
    if (cached && timingSafeEqual(Buffer.from(cached.hash, 'hex'), Buffer.from(presented, 'hex'))) {
      req.principal = cached.principal;
      return;
    }
    const generation = principals.generation;
    const record = await findTokenByHash(db, presented);
    // The lookup is by hash; compare again in constant time so no code path branches on a partial match.
    if (!record || !timingSafeEqual(Buffer.from(record.hash, 'hex'), Buffer.from(presented, 'hex'))) {
      throw new SlipwayError('unauthorized', 'unknown token');
    }
    if (record.revokedAt)
      throw new SlipwayError('unauthorized', `token "${record.name}" was revoked at ${record.revokedAt.toISOString()}`);
    if (record.expiresAt && record.expiresAt.getTime() <= Date.now())
      throw new SlipwayError('unauthorized', `token "${record.name}" expired at ${record.expiresAt.toISOString()}`);
    req.principal = { tokenId: record.id, name: record.name, grants: record.grants };
    principals.set(
      key,
      { principal: req.principal, hash: record.hash, expiresAt: record.expiresAt?.getTime() },
      generation,
    );
  };
}
