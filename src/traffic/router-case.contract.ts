import type { EnvironmentRoutes, ReleaseSet, Router, StatusClass, Upstream, UpstreamStatus } from './router.js';
import type { RouterSubject } from './router.contract.js';

/** What one test of the Router contract works with. */
export interface RouterCase {
  s: RouterSubject;
  router: Router;
  u: [Upstream, Upstream, Upstream];
  /** The upstreams of one environment, by id. */
  upstreamsOf(environment: string): Promise<UpstreamStatus[]>;
}

/** How the cases reach the current test's RouterCase (made afresh for every test). */
export interface RouterCaseContext {
  now(): RouterCase;
}

/** The service of every contract table. */
export const service = 'quote-api';

/** A one-route table on `/` for the contract's service. */
export function contractTable(environment: string, listen: string, releases: ReleaseSet[]): EnvironmentRoutes {
  return { environment, listen, routes: [{ service, match: { pathPrefix: '/' }, releases }] };
}

/** A release set for the contract's tables. */
export function set(release: string, role: ReleaseSet['role'], weight: number, upstreams: Upstream[]): ReleaseSet {
  return { release, role, weight, upstreams };
}

/** Status-class counters: zero but for `some`. */
export function counts(some: Partial<Record<StatusClass, number>>): Record<StatusClass, number> {
  return { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, proxyError: 0, ...some };
}

/** Poll `probe` until it holds; fails naming `what` after the timeout. */
export async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The rejection of a promise; fails the test when it resolves. */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}
