import { viewableEnvironments } from '../access/authorize.js';
import type { Principal } from '../access/types.js';

/**
 * List routes with `anyEnvironment`: the rows of the environments the principal may view.
 * With a requested environment (already authorized) or a view of everything, one query;
 * otherwise one query per viewable environment, merged in the list's order and cut to `limit`,
 * so a limited list is still the newest (or oldest) `limit` rows the principal may see.
 */
export async function visibleRows<T>(
  principal: Pick<Principal, 'grants'> | undefined,
  requested: string | undefined,
  fetch: (environment: string | undefined) => Promise<T[]>,
  order: (a: T, b: T) => number,
  limit = Infinity,
): Promise<T[]> {
  const viewable = principal ? viewableEnvironments(principal) : [];
  if (requested || viewable === '*') return fetch(requested);
  const lists = await Promise.all(viewable.map((e) => fetch(e)));
  return lists.flat().sort(order).slice(0, limit);
}

/** May the principal view this environment's rows (status, merged logs)? */
export function canView(principal: Pick<Principal, 'grants'> | undefined, environment: string): boolean {
  const viewable = principal ? viewableEnvironments(principal) : [];
  return viewable === '*' || viewable.includes(environment);
}
