import type { EnvironmentRoutes } from '../router.js';

/**
 * What the adapter keeps in its state dir (state.json) next to the configuration it generated:
 * the tables in force and every server it created in HAProxy. Enough to regenerate the whole
 * configuration, to compute runtime commands as a difference, and to name the release of a log line.
 */

/** One HAProxy server: an upstream of one release set of one route (in the route backend and a slot backend). */
export interface ServerEntry {
  /** s<n>, never reused within a state dir. */
  name: string;
  environment: string;
  service: string;
  release: string;
  /** Upstream (instance) id and address. */
  id: string;
  address: string;
  /** Route backend; the server is also in `${route}_s${slot}`. */
  route: string;
  slot: number;
  /** Weight in the route backend (0–256); 1 in the slot backend. */
  weight: number;
  /** `draining`: out of the table, finishing its requests; deleted once it has none. */
  state: 'active' | 'draining';
}

/** Who a server name stands for in log lines, kept after the server is gone until the data plane restarts. */
export interface ServerLabel {
  environment: string;
  service: string;
  release: string;
}

export interface HaproxyState {
  /** Tables in force, sorted by environment. */
  tables: EnvironmentRoutes[];
  servers: ServerEntry[];
  /** Route backend → release per slot (null: free). Slots only grow, so a new release rarely reloads. */
  slots: Record<string, (string | null)[]>;
  labels: Record<string, ServerLabel>;
  nextServer: number;
}

/** A state dir before the first table. */
export function emptyState(): HaproxyState {
  return { tables: [], servers: [], slots: {}, labels: {}, nextServer: 1 };
}
