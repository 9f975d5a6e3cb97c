import type { EnvironmentRoutes, ReleaseSet } from '../router.js';
import { routeBackendName, serverName } from './names.js';
import type { HaproxyState, ServerEntry } from './state.js';

/** HAProxy's largest server weight. */
export const maxWeight = 256;

/**
 * The state that serves `tables`, derived from the previous one so that names and slots stay put:
 * an upstream kept in the same release set keeps its server, a release keeps its slot, and
 * servers dropped from a route that remains become `draining`. Pure: no I/O.
 */
export function planState(prev: HaproxyState, tables: readonly EnvironmentRoutes[]): HaproxyState {
  const sorted = [...tables].sort((a, b) => a.environment.localeCompare(b.environment));
  const next: HaproxyState = {
    tables: sorted,
    servers: [],
    slots: {},
    labels: { ...prev.labels },
    nextServer: prev.nextServer,
  };
  const previous = new Map(prev.servers.map((s) => [serverKey(s), s]));
  const kept = new Set<string>();
  for (const table of sorted) {
    for (const route of table.routes) {
      const backend = routeBackendName(table.environment, route.match.host, route.match.pathPrefix);
      const slots = assignSlots(
        prev.slots[backend] ?? [],
        route.releases.map((r) => r.release),
      );
      next.slots[backend] = slots;
      const weights = serverWeights(route.releases);
      route.releases.forEach((set, i) => {
        for (const u of set.upstreams) {
          const draft = {
            environment: table.environment,
            service: route.service,
            release: set.release,
            id: u.id,
            address: u.address,
            route: backend,
            slot: slots.indexOf(set.release),
            weight: weights[i]!,
            state: 'active' as const,
          };
          const key = serverKey(draft);
          const name = previous.get(key)?.name ?? serverName(next.nextServer++);
          kept.add(key);
          next.servers.push({ name, ...draft });
          next.labels[name] = { environment: draft.environment, service: draft.service, release: draft.release };
        }
      });
    }
  }
  for (const s of prev.servers) {
    if (kept.has(serverKey(s)) || next.slots[s.route] === undefined) continue;
    next.servers.push({ ...s, weight: 0, state: 'draining' });
  }
  return next;
}

/** What makes a server the same one across tables. */
function serverKey(s: Omit<ServerEntry, 'name' | 'weight' | 'state'>): string {
  return [s.route, s.slot, s.service, s.release, s.id, s.address].join('\n');
}

/** Releases keep their slot; a new release takes a free one, else the route grows one (which reloads). */
export function assignSlots(prev: readonly (string | null)[], releases: readonly string[]): (string | null)[] {
  const slots = prev.map((r) => (r !== null && releases.includes(r) ? r : null));
  for (const release of releases) {
    if (slots.includes(release)) continue;
    const free = slots.indexOf(null);
    if (free < 0) slots.push(release);
    else slots[free] = release;
  }
  while (slots.length < 2) slots.push(null);
  return slots;
}

/**
 * Per-server weights in the route backend: a set's weight is shared by its upstreams, scaled so the
 * heaviest server gets 256 (HAProxy's maximum); a set with weight > 0 never rounds down to 0.
 */
export function serverWeights(sets: readonly ReleaseSet[]): number[] {
  const raw = sets.map((s) => (s.weight > 0 && s.upstreams.length > 0 ? s.weight / s.upstreams.length : 0));
  const top = Math.max(0, ...raw);
  return raw.map((r) => (r === 0 ? 0 : Math.max(1, Math.round((r / top) * maxWeight))));
}
