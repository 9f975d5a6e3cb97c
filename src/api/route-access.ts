import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { allows, allowsSomewhere, describeGrants } from '../access/authorize.js';
import { defaultMfaEnvironments, needsMfa, refuseWithoutMfa } from '../access/mfa.js';
import type { RouteAccess } from '../access/types.js';
import { SlipwayError } from '../shared/errors.js';

/** A route as registered, with the access it declares (the authorization matrix test reads these). */
export interface RegisteredRoute {
  method: string;
  url: string;
  access: RouteAccess;
}

const registered = new WeakMap<FastifyInstance, RegisteredRoute[]>();
const environmentPath = /^(body|query|params)\.([A-Za-z_][A-Za-z0-9_]*)$/;

/**
 * The routes anyone may call without a token, listed here on purpose: a route declaring `public` that is not in this
 * list stops the server from starting, so making a route public is a decision made in one place.
 */
export const publicRoutes: ReadonlySet<string> = new Set([
  'GET /healthz',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/logout',
  'GET /api/v1/auth/oidc',
  'GET /api/v1/auth/oidc/start',
  'GET /api/v1/auth/oidc/callback',
  'POST /api/v1/webhooks/github',
  // The status page customers read (src/kpis/status-page.ts): states, uptime, incident severities; no internals.
  'GET /status/:project',
  'GET /status/:project/',
  // Not a project's page (no name, or more path after it): the same plain 404 page.
  'GET /status',
  'GET /status/',
  'GET /status/*',
  // The dashboard's page and its assets (src/api/dashboard/): the app itself logs in through the API.
  'GET /',
  'GET /*',
]);

/** Every route registered on `app`, HEAD twins of GET routes left out. */
export function registeredRoutes(app: FastifyInstance): readonly RegisteredRoute[] {
  return registered.get(app) ?? [];
}

/**
 * `onRoute` hook: a route without `config.access` (or with an environment source that cannot be
 * read) stops the server from starting, so no route can be added without deciding who may call it.
 */
export function requireRouteAccess(app: FastifyInstance) {
  const routes: RegisteredRoute[] = [];
  registered.set(app, routes);
  return (route: RouteOptions): void => {
    const methods = [route.method].flat();
    const access = route.config?.access;
    if (!access)
      throw new Error(
        `route ${methods.join(',')} ${route.url} declares no config.access (who may call it?); see src/access/types.ts`,
      );
    if (access.dsnKey && (access.environment !== undefined || access.anyEnvironment))
      throw new Error(`route ${methods.join(',')} ${route.url}: a DSN-key route takes its environment from the key`);
    if (typeof access.environment === 'string' && !environmentPath.test(access.environment)) {
      throw new Error(
        `route ${methods.join(',')} ${route.url}: config.access.environment "${access.environment}" is not body.X, ` +
          `query.X or params.X`,
      );
    }
    for (const method of methods) {
      if (method === 'HEAD') continue;
      if (access.public && !publicRoutes.has(`${method} ${route.url}`))
        throw new Error(`route ${method} ${route.url} declares access.public but is not listed in publicRoutes`);
      routes.push({ method, url: route.url, access });
    }
  };
}

/** The environment a request acts on, per the route's declaration; null when it names none. */
export async function requestEnvironment(access: RouteAccess, req: FastifyRequest): Promise<string | null> {
  if (access.environment === undefined) return null;
  if (typeof access.environment === 'function') return access.environment(req);
  const [, part, key] = environmentPath.exec(access.environment)!;
  const value = (req[part as 'body' | 'query' | 'params'] as Record<string, unknown> | undefined)?.[key!];
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * `preHandler` hook (runs after validation, before the handler): 403 naming the role and
 * environment that are missing and what the token has.
 */
export async function authorizeRequest(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
  const access = req.routeOptions.config?.access;
  // DSN-key routes authenticate in their handler (the key names the project and environment), never by token.
  if (!access || access.public || access.dsnKey) return;
  const principal = req.principal;
  if (!principal) throw new SlipwayError('unauthorized', 'missing bearer token');
  const environment = await requestEnvironment(access, req);
  const allowed =
    environment === null && access.anyEnvironment
      ? allowsSomewhere(principal, access.role)
      : allows(principal, access.role, environment);
  if (allowed) {
    // People's sessions need a second factor for approver/admin actions on some environments; tokens are exempt
    // (src/access/mfa.ts).
    if (req.session && !req.session.mfa && needsMfa(access, environment, req.mfaEnvironments ?? defaultMfaEnvironments))
      refuseWithoutMfa(access, environment);
    return;
  }
  const where = environment ?? (access.anyEnvironment ? 'some environment' : '*');
  throw new SlipwayError(
    'forbidden',
    `${access.role} on ${where} required; token "${principal.name}" has ${describeGrants(principal.grants)}`,
    {
      role: access.role,
      environment: environment ?? '*',
      action: access.action,
    },
  );
}
