import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ApiContext } from '../../api/context.js';
import { errorBody } from '../../api/schemas.js';
import type { SsoConfig } from '../../config/model.js';
import { SlipwayError } from '../../shared/errors.js';
import { listProjects } from '../../store/repos/projects.js';
import { appendAudit } from '../audit/chain.js';
import { startSession } from '../sessions.js';
import { beginLogin, clientSecretOf, completeLogin } from './login.js';
import {
  openPendingLogin,
  pendingCookieName,
  pendingCookieOptions,
  pendingLoginTtlMs,
  sealPendingLogin,
} from './pending-cookie.js';

const grantView = z.object({ role: z.string(), environments: z.union([z.array(z.string()), z.literal('*')]) });
const loginView = z.object({
  kind: z.literal('oidc'),
  name: z.string(),
  subject: z.string(),
  grants: z.array(grantView),
  mfa: z.boolean(),
  expiresAt: z.string(),
  csrfToken: z.string(),
});

/**
 * The `sso:` block of the applied projects. A coordinator serves one set of people, so projects
 * that configure sso must agree on the provider and client; the first one (by name) is used.
 */
async function ssoConfig(ctx: ApiContext): Promise<SsoConfig> {
  const configured = (await listProjects(ctx.db)).map((p) => p.config).filter((c) => c.sso);
  if (configured.length === 0)
    throw new SlipwayError(
      'not_found',
      'single sign-on is not configured: add an sso: block to slipway.yaml and apply it',
    );
  const first = configured[0]!;
  const other = configured.find((c) => c.sso!.issuer !== first.sso!.issuer || c.sso!.clientId !== first.sso!.clientId);
  if (other) {
    throw new SlipwayError(
      'conflict',
      `projects "${first.project}" and "${other.project}" configure different sso providers or clients; one ` +
        `coordinator logs people in through one`,
    );
  }
  return first.sso!;
}

/**
 * GET /api/v1/auth/oidc/start and /callback: log in through an OpenID Connect provider. Both are
 * public (the person has no credentials yet). The login in progress is kept in an encrypted,
 * authenticated cookie scoped to these two routes (pending-cookie.ts). A successful callback
 * starts a session (the `slipway_session` cookie) and is written to the audit log; refusals are
 * 401 (state, code, ID token) or 403 (no mapped group), audited as denied by the audit hook.
 */
export function oidcRoutes(ctx: ApiContext, env: NodeJS.ProcessEnv = process.env): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/auth/oidc',
      {
        // The login page asks before it shows its single sign-on button; it names no provider or client.
        config: { access: { action: 'auth.oidc.configured', role: 'viewer', public: true } },
        schema: {
          summary: 'Whether single sign-on is configured (the dashboard shows its button then)',
          tags: ['auth'],
          security: [],
          response: { 200: z.object({ configured: z.boolean() }) },
        },
      },
      async () => ({ configured: (await listProjects(ctx.db)).some((p) => p.config.sso) }),
    );

    app.get(
      '/api/v1/auth/oidc/start',
      {
        config: { access: { action: 'auth.oidc.start', role: 'viewer', public: true } },
        schema: {
          summary: 'Start a single sign-on login: redirects (302) to the OpenID Connect provider',
          tags: ['auth'],
          security: [],
          response: { 404: errorBody, 409: errorBody, 503: errorBody },
        },
      },
      async (_req, reply) => {
        const sso = await ssoConfig(ctx);
        const started = await beginLogin(sso, { env });
        const sealed = sealPendingLogin(started, clientSecretOf(sso, env));
        reply.setCookie(
          pendingCookieName,
          sealed,
          pendingCookieOptions({ secure: sso.redirectUri.startsWith('https:'), maxAgeMs: pendingLoginTtlMs }),
        );
        reply.header('cache-control', 'no-store');
        return reply.redirect(started.authorizationUrl, 302);
      },
    );

    app.get(
      '/api/v1/auth/oidc/callback',
      {
        config: { access: { action: 'auth.oidc.login', role: 'viewer', public: true } },
        schema: {
          summary:
            'Where the provider sends people back: exchanges the code, checks the ID token, maps groups to grants ' +
            'and starts a session',
          tags: ['auth'],
          security: [],
          // The parameters providers send back (RFC 6749 §4.1.2, RFC 9207 iss); others are passed on to openid-client.
          querystring: z.looseObject({
            code: z.string().optional(),
            state: z.string().optional(),
            iss: z.string().optional(),
            error: z.string().optional(),
            error_description: z.string().optional(),
          }),
          response: { 200: loginView, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, 503: errorBody },
        },
      },
      async (req, reply) => {
        const sso = await ssoConfig(ctx);
        req.audit = { target: `issuer=${sso.issuer}` };
        const secure = sso.redirectUri.startsWith('https:');
        // Whatever happens next, this login attempt is over: the browser drops the cookie.
        reply.setCookie(pendingCookieName, '', pendingCookieOptions({ secure, maxAgeMs: 0 }));
        reply.header('cache-control', 'no-store');
        const value = req.cookies[pendingCookieName];
        if (!value)
          throw new SlipwayError(
            'unauthorized',
            'no login in progress in this browser (its login cookie is missing or expired): start again at ' +
              '/api/v1/auth/oidc/start',
          );
        const pending = openPendingLogin(value, clientSecretOf(sso, env));
        if ('refused' in pending)
          throw new SlipwayError('unauthorized', `${pending.refused}: start again at /api/v1/auth/oidc/start`);
        // The URL the provider redirected to, rebuilt from the configured redirect URI rather than the
        // Host header: it is also the redirect_uri sent with the code, which must match exactly.
        const currentUrl = new URL(sso.redirectUri);
        currentUrl.search = new URL(req.url, 'http://callback.invalid').search;
        const identity = await completeLogin(sso, currentUrl, pending, { env });
        const session = await startSession(reply, ctx.db, identity);
        // A browser (the dashboard's button) goes on to the dashboard, logged in; API clients get the session.
        const browser = /\btext\/html\b/.test(req.headers.accept ?? '');
        // GET is not audited by the hook; a login is a change (a new session), so it is recorded here.
        const entry = {
          actor: `${identity.name} (${identity.subject})`,
          action: 'auth.oidc.login',
          target: `issuer=${sso.issuer}`,
          source: req.ip || 'unknown',
          outcome: 'allowed' as const,
          status: browser ? 303 : 200,
          after: { grants: identity.grants, mfa: identity.mfa },
        };
        // As in the audit hook: a session that was started is not turned into an error by a failed write.
        await appendAudit(ctx.db, entry).catch((err: unknown) => {
          ctx.logger.error(
            { err, audit: entry },
            'could not write the audit log entry; it is in this log line instead',
          );
          reply.header('slipway-audit', 'failed');
        });
        if (browser) return reply.redirect('/', 303);
        return { ...identity, expiresAt: session.expiresAt.toISOString(), csrfToken: session.csrfToken };
      },
    );
  };
}
