import type { HaproxyState } from './state.js';
import { routeBackendName, slotBackendName } from './names.js';

/**
 * The map files the generated configuration reads at request time. Maps change through the
 * runtime API (prepare / add / commit: atomic), so targeting and stickiness never need a reload.
 */
export type MapName = 'targets' | 'sticky' | 'servers';

export const mapNames: readonly MapName[] = ['targets', 'sticky', 'servers'];

/** Map contents as [key, value] pairs, in a stable order. */
export type MapContents = Record<MapName, [string, string][]>;

/**
 * targets: `<route backend>:<stable|candidate|version>` → the slot backend of a set that has upstreams
 * (role words win over a release named the same); sticky: route backend → 1;
 * servers: server name → release (for the sticky cookie).
 */
export function mapContents(state: HaproxyState): MapContents {
  const targets = new Map<string, string>();
  const sticky: [string, string][] = [];
  for (const table of state.tables) {
    for (const route of table.routes) {
      const backend = routeBackendName(table.environment, route.match.host, route.match.pathPrefix);
      const slots = state.slots[backend] ?? [];
      const served = route.releases.filter((s) => s.upstreams.length > 0);
      for (const set of served)
        targets.set(`${backend}:${set.release}`, slotBackendName(backend, slots.indexOf(set.release)));
      for (const role of ['stable', 'candidate'] as const) {
        const set = served.find((s) => s.role === role);
        if (set) targets.set(`${backend}:${role}`, slotBackendName(backend, slots.indexOf(set.release)));
      }
      if (route.sticky === true) sticky.push([backend, '1']);
    }
  }
  const servers = state.servers.filter((s) => s.state === 'active').map((s): [string, string] => [s.name, s.release]);
  return { targets: [...targets].sort(byKey), sticky: sticky.sort(byKey), servers: servers.sort(byKey) };
}

function byKey(a: [string, string], b: [string, string]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** A map file's text: one `key value` a line. */
export function mapText(entries: readonly [string, string][]): string {
  return entries.map(([k, v]) => `${k} ${v}\n`).join('');
}
