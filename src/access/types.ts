/**
 * Access control vocabulary: roles granted per environment, and the access every API route
 * declares (Fastify route option `config.access`), so authorization and the audit log read one
 * table and a route without an entry cannot be registered.
 */

import type { Grant, Role } from '../model/grant.js';

export { roles, type Grant, type Role } from '../model/grant.js';

/** Who is calling, once authenticated. */
export interface Principal {
  tokenId: string;
  name: string;
  grants: Grant[];
}

/**
 * What a route requires. `environment` says where the environment of the request is read
 * (e.g. `body.environment`, `query.environment`, `params.env`, or a function of the request for
 * routes that act on a stored deployment); absent = project-wide: the role must be granted on '*'.
 */
export interface RouteAccess {
  /** Dotted action name for the audit log, e.g. `deployment.create`. */
  action: string;
  role: Role;
  environment?:
    | string
    | ((req: { params: unknown; query: unknown; body: unknown }) => Promise<string | null> | string | null);
  /**
   * Reads that span environments (lists, status): when the request names no environment, the
   * role on any one environment is enough, and the route shows only the environments the
   * principal may view (or data that belongs to none, such as the project's shape).
   */
  anyEnvironment?: true;
  /** Public routes (listed in publicRoutes, src/api/route-access.ts): no token needed. */
  public?: true;
  /**
   * Sentry-protocol ingest (POST /api/<id>/envelope/ and /store/): authenticated by the DSN key
   * the SDK presents (src/observe/errors/), not by API tokens or sessions; `role` is unused. A
   * wrong key is a 401, a revoked one a 403, audited like every denial.
   */
  dsnKey?: true;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}
