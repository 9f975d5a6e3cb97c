import type { EnvironmentRoutes, Route } from '../router.js';
import { CompiledReleaseSet } from './release-set.js';
import type { RecorderSource } from './release-stats.js';
import type { UpstreamRegistry, UpstreamState } from './upstream.js';

/** One route ready for the hot path: sets resolved to live upstreams and recorders. */
export interface CompiledRoute {
  readonly service: string;
  readonly pathPrefix: string;
  readonly host: string | undefined;
  readonly sticky: boolean;
  readonly sets: readonly CompiledReleaseSet[];
  /** Retry fallback order: sets with weight > 0, heaviest first. */
  readonly fallbackOrder: readonly CompiledReleaseSet[];
  /** Where a 503 (no available set at all) is counted: the heaviest set. */
  readonly blameSet: CompiledReleaseSet | undefined;
}

/** One environment's table: precomputed lookup by host, then longest path prefix. */
export interface CompiledTable {
  readonly environment: string;
  readonly listen: string;
  readonly source: EnvironmentRoutes;
  /** Routes with a host, by lowercase host, longest prefix first. */
  readonly byHost: ReadonlyMap<string, readonly CompiledRoute[]>;
  /** Routes without a host, longest prefix first. */
  readonly anyHost: readonly CompiledRoute[];
  /** Every upstream referenced by the table (for UpstreamRegistry.commit). */
  readonly upstreams: ReadonlySet<UpstreamState>;
}

/** Build the hot-path form of a validated table; registers nothing (see UpstreamRegistry). */
export function compileTable(
  source: EnvironmentRoutes,
  registry: UpstreamRegistry,
  stats: RecorderSource,
): CompiledTable {
  const byHost = new Map<string, CompiledRoute[]>();
  const anyHost: CompiledRoute[] = [];
  const upstreams = new Set<UpstreamState>();
  for (const route of source.routes) {
    const compiled = compileRoute(source.environment, route, registry, stats);
    for (const set of compiled.sets) for (const u of set.upstreams) upstreams.add(u);
    if (compiled.host === undefined) anyHost.push(compiled);
    else {
      const list = byHost.get(compiled.host) ?? [];
      list.push(compiled);
      byHost.set(compiled.host, list);
    }
  }
  const longestFirst = (a: CompiledRoute, b: CompiledRoute) => b.pathPrefix.length - a.pathPrefix.length;
  anyHost.sort(longestFirst);
  for (const list of byHost.values()) list.sort(longestFirst);
  return { environment: source.environment, listen: source.listen, source, byHost, anyHost, upstreams };
}

function compileRoute(
  environment: string,
  route: Route,
  registry: UpstreamRegistry,
  stats: RecorderSource,
): CompiledRoute {
  const sets = route.releases.map(
    (set) =>
      new CompiledReleaseSet(
        set,
        set.upstreams.map((u) => registry.lookup(environment, route.service, set.release, u.id, u.address)),
        stats.recorder(environment, route.service, set.release),
      ),
  );
  const fallbackOrder = sets.filter((s) => s.weight > 0).sort((a, b) => b.weight - a.weight);
  const blameSet = [...sets].sort((a, b) => b.weight - a.weight)[0];
  return {
    service: route.service,
    pathPrefix: route.match.pathPrefix,
    host: route.match.host?.toLowerCase(),
    sticky: route.sticky === true,
    sets,
    fallbackOrder,
    blameSet,
  };
}

/** The route for a request: host routes and host-less routes compete on prefix length; on a tie the host route wins. */
export function matchRoute(
  table: CompiledTable,
  hostHeader: string | undefined,
  url: string,
): CompiledRoute | undefined {
  let hostRoute: CompiledRoute | undefined;
  if (table.byHost.size > 0 && hostHeader !== undefined) {
    const list = table.byHost.get(hostWithoutPort(hostHeader));
    if (list !== undefined) hostRoute = firstMatch(list, url);
  }
  const plain = firstMatch(table.anyHost, url);
  if (hostRoute === undefined) return plain;
  if (plain === undefined) return hostRoute;
  return plain.pathPrefix.length > hostRoute.pathPrefix.length ? plain : hostRoute;
}

function firstMatch(routes: readonly CompiledRoute[], url: string): CompiledRoute | undefined {
  for (const r of routes) if (prefixMatches(url, r.pathPrefix)) return r;
  return undefined;
}

/** Prefixes match whole path segments: "/api" takes "/api", "/api/x" and "/api?q", not "/apix". */
export function prefixMatches(url: string, prefix: string): boolean {
  if (!url.startsWith(prefix)) return false;
  if (url.length === prefix.length || prefix.charCodeAt(prefix.length - 1) === 47) return true;
  const next = url.charCodeAt(prefix.length);
  return next === 47 /* / */ || next === 63 /* ? */;
}

/** "Shop.Example.com:8080" → "shop.example.com"; "[::1]:80" → "[::1]". */
export function hostWithoutPort(host: string): string {
  const end = host.charCodeAt(0) === 91 /* [ */ ? host.indexOf(']') + 1 : host.indexOf(':');
  const bare = end > 0 ? host.slice(0, end) : host;
  return bare.toLowerCase();
}
