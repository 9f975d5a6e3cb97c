import { afterEach, beforeEach, describe } from 'vitest';
import type { EnvironmentRoutes, Router, Upstream } from './router.js';
import type { RouterCase, RouterCaseContext } from './router-case.contract.js';
import { dataPlaneCases } from './router-data-plane.contract.js';
import { tableCases } from './router-table.contract.js';

/**
 * The contract every Router keeps (router.ts), as one suite that each implementation runs: the
 * built-in proxy, the fake the engine tests use, and HAProxy. Parts that need a data plane
 * serving real HTTP (weights, targeting, draining) run only for subjects that have one.
 */

/** What one request through a listener got: its status and the upstream that answered (its id). */
export interface Reply {
  status: number;
  upstream?: string;
}

/** The part of a subject that serves real HTTP on the listen addresses. */
export interface DataPlaneAccess {
  /** One request to a listener, on a fresh connection. */
  send(listen: string, options?: { headers?: Record<string, string> }): Promise<Reply>;
  /** A request held open at its upstream, naming `release`, until finish() lets it answer. */
  hold(listen: string, release: string): Promise<{ upstream: string; finish(): Promise<Reply> }>;
  /** A loopback address another process listens on. */
  busyListen(): Promise<string>;
}

/** One router under test, with upstreams its data plane can reach and the means to act on it. */
export interface RouterSubject {
  router: Router;
  /** Three upstreams; through a data plane they answer `?status=N` with N. */
  upstreams: [Upstream, Upstream, Upstream];
  /** A listen address nothing uses. */
  listen(): Promise<string>;
  /** Requests naming `release`, answered with these statuses, through the environment's listener. */
  traffic(routes: EnvironmentRoutes, release: string, statuses: number[]): Promise<void>;
  /** The data plane dies (its process is killed). */
  down(): Promise<void>;
  /** The data plane comes back by itself, from the tables it saved. */
  up(): Promise<void>;
  /** Present when the subject serves real HTTP. */
  dataPlane?: DataPlaneAccess;
  dispose(): Promise<void>;
}

/** What a router can do beyond the interface; the suite leaves out the cases a subject cannot run. */
export interface RouterCapabilities {
  /** It serves real HTTP on the listen addresses (the subject then has `dataPlane`). */
  dataPlane: boolean;
}

/**
 * Run the Router contract against one implementation.
 * Example: describeRouterContract('proxy', () => proxySubject(), { dataPlane: true })
 */
export function describeRouterContract(
  name: string,
  makeSubject: () => Promise<RouterSubject>,
  capabilities: RouterCapabilities,
): void {
  describe(`Router contract: ${name}`, () => {
    let current: RouterCase | undefined;
    beforeEach(async () => {
      const s = await makeSubject();
      if (capabilities.dataPlane !== (s.dataPlane !== undefined))
        throw new Error(`the ${name} subject must have dataPlane exactly when its capabilities say so`);
      const router: Router = s.router;
      current = {
        s,
        router,
        u: s.upstreams,
        upstreamsOf: async (environment) =>
          (await router.upstreams())
            .filter((x) => x.environment === environment)
            .sort((a, b) => a.id.localeCompare(b.id)),
      };
    });
    afterEach(() => current?.s.dispose());
    const ctx: RouterCaseContext = {
      now() {
        if (!current) throw new Error('the router contract case is only there inside a test');
        return current;
      },
    };
    tableCases(ctx);
    dataPlaneCases(ctx, capabilities.dataPlane);
  });
}
