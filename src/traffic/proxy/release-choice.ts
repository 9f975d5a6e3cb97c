import type { CompiledReleaseSet } from './release-set.js';
import type { CompiledRoute } from './route-table.js';

/**
 * Which release set serves a request. Targeted requests (header or cookie naming `stable`,
 * `candidate` or a release version) go to that set even at weight 0; everything else is split
 * by weight among the sets that have an available upstream.
 */
export function chooseReleaseSet(
  route: CompiledRoute,
  now: number,
  target: string | undefined,
): CompiledReleaseSet | undefined {
  if (target !== undefined) {
    const set = findTargetSet(route, now, target);
    if (set !== undefined) return set;
  }
  return pickWeightedSet(route.sets, now);
}

/** The set a target names, if it has an available upstream; role words win over a release named the same. */
export function findTargetSet(route: CompiledRoute, now: number, target: string): CompiledReleaseSet | undefined {
  const byRole = target === 'stable' || target === 'candidate';
  for (const set of route.sets) {
    if ((byRole ? set.role === target : set.release === target) && set.hasAvailable(now)) return set;
  }
  return undefined;
}

/**
 * Smooth weighted round-robin (as in nginx): deterministic, and a 90/10 split is exact over
 * every 10 picks instead of merely converging. Sets without weight or available upstreams sit out.
 */
export function pickWeightedSet(sets: readonly CompiledReleaseSet[], now: number): CompiledReleaseSet | undefined {
  let total = 0;
  let best: CompiledReleaseSet | undefined;
  for (const set of sets) {
    if (set.weight <= 0 || !set.hasAvailable(now)) continue;
    set.current += set.weight;
    total += set.weight;
    if (best === undefined || set.current > best.current) best = set;
  }
  if (best !== undefined) best.current -= total;
  return best;
}
