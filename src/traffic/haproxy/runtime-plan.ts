import { type MapContents, mapNames } from './maps.js';
import { mapPath } from './config-text.js';
import { slotBackendName } from './names.js';
import type { HaproxyState, ServerEntry } from './state.js';

/**
 * Runtime API commands that take HAProxy from one state to another of the same shape (see
 * config-text.ts for what reloads instead). Built as data, so tests read them as strings.
 * Order matters: new servers first (added in maintenance, then enabled), then the maps that point
 * targeted requests at them, then weights, then drains, so no request is sent to a set without servers.
 */
export function runtimeCommands(
  prev: HaproxyState,
  next: HaproxyState,
  prevMaps: MapContents,
  nextMaps: MapContents,
  dir: string,
): string[] {
  const before = new Map(prev.servers.map((s) => [s.name, s]));
  const adds: string[] = [];
  const changes: string[] = [];
  const drains: string[] = [];
  for (const s of next.servers) {
    const old = before.get(s.name);
    const pair = backendsOf(s);
    if (old === undefined) {
      for (const [backend, weight] of pair)
        adds.push(
          `add server ${backend}/${s.name} ${s.address} weight ${weight}`,
          `enable server ${backend}/${s.name}`,
        );
    } else if (s.state === 'draining' && old.state === 'active') {
      for (const [backend] of pair) drains.push(`set server ${backend}/${s.name} state drain`);
    } else if (s.state === 'active') {
      if (old.state === 'draining')
        for (const [backend] of pair) changes.push(`set server ${backend}/${s.name} state ready`);
      if (old.state === 'draining' || old.weight !== s.weight)
        changes.push(`set server ${s.route}/${s.name} weight ${s.weight}`);
    }
  }
  const maps: string[] = [];
  for (const name of mapNames) {
    if (JSON.stringify(prevMaps[name]) === JSON.stringify(nextMaps[name])) continue;
    // prepare → add @version → commit swaps the whole map at once; `@next` is filled in by the caller.
    const file = mapPath(dir, name);
    maps.push(`prepare map ${file}`);
    for (const [key, value] of nextMaps[name]) maps.push(`add map @next ${file} ${key} ${value}`);
    maps.push(`commit map @next ${file}`);
  }
  return [...adds, ...maps, ...changes, ...drains];
}

/** The two backends a server is in, with its weight in each. */
export function backendsOf(s: ServerEntry): [string, number][] {
  return [
    [s.route, s.weight],
    [slotBackendName(s.route, s.slot), 1],
  ];
}

/** Commands that delete a drained server (maintenance first: HAProxy deletes only servers in maintenance). */
export function deleteCommands(s: ServerEntry): string[] {
  return backendsOf(s).flatMap(([backend]) => [
    `set server ${backend}/${s.name} state maint`,
    `del server ${backend}/${s.name}`,
  ]);
}
