import type { EnvironmentRoutes } from '../router.js';
import type { ForwardOptions } from './exchange.js';
import type { RumLimits } from './rum-limits.js';
import type { RumSample } from './rum-samples.js';

/**
 * The messages between the proxy's parent and its workers (Node IPC, 'advanced' serialization so
 * sample batches travel as typed arrays). Every parent request carries an `id` the worker answers with.
 */

/** Parent → worker. A `connection` message carries the accepted socket as its handle. */
export type ToWorker =
  | {
      t: 'init';
      id: number;
      tables: EnvironmentRoutes[];
      forward: Partial<Omit<ForwardOptions, 'logger' | 'rum'>>;
      rumLimits: RumLimits;
      drainTimeoutMs: number;
    }
  | { t: 'apply'; id: number; routes: EnvironmentRoutes }
  | { t: 'remove'; id: number; environment: string }
  | { t: 'report'; id: number }
  | { t: 'connection'; environment: string; cid: number }
  | { t: 'close'; drainTimeoutMs: number };

/** An upstream as one worker sees it; the parent sums inFlight over the workers. */
export interface WorkerUpstream {
  environment: string;
  service: string;
  release: string;
  id: string;
  address: string;
  inFlight: number;
  draining: boolean;
  ejectedUntil: number;
}

/** Worker → parent. */
export type FromWorker =
  | { t: 'hello' }
  | { t: 'ack'; id: number }
  /** The worker has the connection `cid`: the parent closes its own copy. */
  | { t: 'got'; cid: number }
  | { t: 'report'; id: number; upstreams: WorkerUpstream[] }
  /** A recorder the following sample batches refer to by `rid`. */
  | { t: 'recorder'; rid: number; environment: string; service: string; release: string }
  /** Finished requests, `sampleFields` numbers each: rid, status, latencyMs, proxyError (0/1), at (ms since the epoch,
   * sub-millisecond), and at again as the sort key that orders the requests of several workers. */
  | { t: 'samples'; data: Float64Array }
  | ({ t: 'rum'; environment: string; service: string; release: string; at: number } & Omit<
      RumSample,
      'seq' | 'release' | 'at'
    >);

/** Numbers per finished request in a sample batch. */
export const sampleFields = 6;
