import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { SessionIdentity } from '../../access/identity.js';
import { attemptLogin } from '../../access/login.js';
import { endSession, sessionCookieOf, sessionIdOf, startSession, type ActiveSession } from '../../access/sessions.js';
import { checkTotp, newTotpSecret } from '../../access/totp.js';
import { SlipwayError } from '../../shared/errors.js';
import { enableTotp, findUser, setPendingTotp } from '../../store/repos/users.js';
import type { ApiContext } from '../context.js';
import { errorBody } from '../schemas.js';
import { grantInput } from '../token-views.js';

/** Login sessions for people (the dashboard): password + TOTP login, logout, the session, TOTP enrollment. */

const sessionView = z.object({
  user: z.string(),
  kind: z.enum(['local', 'oidc']),
  grants: z.array(grantInput),
  mfa: z
    .boolean()
    .describe(
      'A second factor was verified at login (needed for approver/admin actions on access.mfaRequired environments)',
    ),
  csrfToken: z.string().describe('Send as the x-csrf-token header on POST/PUT/PATCH/DELETE'),
  expiresAt: z.iso
    .datetime({ offset: true })
    .describe('Absolute end of the session; it also ends after 30 minutes without a request'),
});

const present = (identity: SessionIdentity, csrfToken: string, expiresAt: Date) => ({
  user: identity.name,
  kind: identity.kind,
  grants: identity.grants,
  mfa: identity.mfa,
  csrfToken,
  expiresAt: expiresAt.toISOString(),
});

/** The local user of the request's session, or the 409 that says why there is none. */
function localSession(req: FastifyRequest): { identity: SessionIdentity; session: ActiveSession } {
  if (!req.session || !req.activeSession)
    throw new SlipwayError('conflict', 'this needs a login session (POST /api/v1/auth/login); API tokens have none');
  if (req.session.kind !== 'local')
    throw new SlipwayError(
      'conflict',
      'TOTP is for local users; single sign-on users set up their second factor with their provider',
    );
  return { identity: req.session, session: req.activeSession };
}

export function authRoutes(ctx: ApiContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/auth/login',
      {
        config: { access: { action: 'auth.login', role: 'viewer', public: true } },
        schema: {
          summary:
            'Log in as a local user: sets the slipway_session cookie (Secure, HttpOnly, SameSite=Strict); five ' +
            'failures in 15 minutes lock the name and the address out',
          tags: ['auth'],
          body: z.object({
            name: z.string().min(1).max(200),
            password: z.string().min(1).max(1024),
            totp: z
              .string()
              .max(12)
              .optional()
              .describe('The 6-digit TOTP code; needed for approver/admin actions on production'),
          }),
          response: { 200: sessionView, 400: errorBody, 401: errorBody, 429: errorBody },
        },
      },
      async (req, reply) => {
        req.audit = { target: `user=${req.body.name.slice(0, 100)}` };
        const result = await attemptLogin(ctx.db, ctx.secrets?.keyring, {
          name: req.body.name,
          password: req.body.password,
          totp: req.body.totp,
          source: req.ip || 'unknown',
        });
        if (result.outcome === 'locked') {
          return reply
            .status(429)
            .header('retry-after', String(result.retryAfterSeconds))
            .send({ error: { code: 'locked', message: `${result.message} (in ${result.retryAfterSeconds} s)` } });
        }
        if (result.outcome === 'refused') throw new SlipwayError('unauthorized', result.message);
        const { csrfToken, expiresAt } = await startSession(reply, ctx.db, result.identity);
        req.audit = { target: `user=${result.identity.name}`, after: { mfa: result.identity.mfa } };
        return present(result.identity, csrfToken, expiresAt);
      },
    );

    app.post(
      '/api/v1/auth/logout',
      {
        config: { access: { action: 'auth.logout', role: 'viewer', public: true } },
        schema: {
          summary: 'End the session of the slipway_session cookie (if any) and clear the cookie',
          tags: ['auth'],
          response: { 200: z.object({ loggedOut: z.boolean() }) },
        },
      },
      async (req, reply) => {
        const cookie = sessionCookieOf(req);
        await endSession(reply, ctx.db, cookie);
        if (cookie) ctx.principals?.forgetSession(sessionIdOf(cookie));
        return { loggedOut: cookie !== undefined };
      },
    );

    app.get(
      '/api/v1/auth/session',
      {
        config: { access: { action: 'auth.session', role: 'viewer', anyEnvironment: true } },
        schema: {
          summary: 'The login session of the cookie: who, grants, whether TOTP was verified, and its CSRF token',
          tags: ['auth'],
          response: { 200: sessionView, 409: errorBody },
        },
      },
      async (req) => {
        if (!req.session || !req.activeSession)
          throw new SlipwayError(
            'conflict',
            'this needs a login session (POST /api/v1/auth/login); API tokens have none',
          );
        return present(req.session, req.activeSession.csrfToken, req.activeSession.expiresAt);
      },
    );

    app.post(
      '/api/v1/auth/totp/enroll',
      {
        config: { access: { action: 'auth.totp.enroll', role: 'viewer', anyEnvironment: true } },
        schema: {
          summary:
            "Start TOTP for the session's own user: the otpauth:// URI (for an authenticator app) is shown this " +
            'once; POST /api/v1/auth/totp/confirm turns it on',
          tags: ['auth'],
          response: { 200: z.object({ otpauthUri: z.string() }), 409: errorBody, 503: errorBody },
        },
      },
      async (req) => {
        const { identity } = localSession(req);
        if (!ctx.secrets)
          throw new SlipwayError(
            'unavailable',
            'TOTP secrets are sealed with the master key, and this coordinator has none',
          );
        const user = await findUser(ctx.db, identity.subject);
        if (!user || user.disabledAt)
          throw new SlipwayError('conflict', `user ${identity.subject} no longer exists or is disabled`);
        if (user.totpEnabled)
          throw new SlipwayError(
            'conflict',
            `TOTP is already on for ${user.name}; an admin can reset it by disabling and re-creating the user`,
          );
        const { uri, sealed } = newTotpSecret(user.name, ctx.secrets.keyring);
        await setPendingTotp(ctx.db, user.name, sealed);
        req.audit = { target: `user=${user.name}`, after: { totp: 'pending' } };
        return { otpauthUri: uri };
      },
    );

    app.post(
      '/api/v1/auth/totp/confirm',
      {
        config: { access: { action: 'auth.totp.confirm', role: 'viewer', anyEnvironment: true } },
        schema: {
          summary:
            'Turn TOTP on with a current code from the authenticator app; log in again with a code to act as ' +
            'approver/admin on production',
          tags: ['auth'],
          body: z.object({ code: z.string().min(1).max(12) }),
          response: { 200: z.object({ totpEnabled: z.literal(true) }), 400: errorBody, 409: errorBody, 503: errorBody },
        },
      },
      async (req) => {
        const { identity } = localSession(req);
        if (!ctx.secrets)
          throw new SlipwayError(
            'unavailable',
            'TOTP secrets are sealed with the master key, and this coordinator has none',
          );
        const user = await findUser(ctx.db, identity.subject);
        if (!user?.totpSecret)
          throw new SlipwayError('conflict', 'no TOTP enrollment to confirm: POST /api/v1/auth/totp/enroll first');
        if (user.totpEnabled) throw new SlipwayError('conflict', `TOTP is already on for ${user.name}`);
        if (!checkTotp(user.name, user.totpSecret, req.body.code, ctx.secrets.keyring)) {
          throw new SlipwayError(
            'invalid_input',
            'that code does not match: type the current 6-digit code (check the device clock)',
          );
        }
        await enableTotp(ctx.db, user.name);
        req.audit = { target: `user=${user.name}`, before: { totp: 'pending' }, after: { totp: 'on' } };
        return { totpEnabled: true as const };
      },
    );
  };
}
