import type { EnvironmentRoutes, SamplesPage, TrafficStats, UpstreamStatus } from '../router.js';
import type { RumPage } from './rum-samples.js';

/**
 * What the admin API drives: the in-process DataPlane (`--workers 0`) or the ParentPlane that
 * serves from worker processes. Reads may ask the workers first (their figures are summed by the parent).
 */
export interface Plane {
  /** When this proxy started (ms since epoch): a change tells readers that counters and sequences restarted. */
  readonly startedAt: number;
  /** Replace one environment's table; resolves once every worker serves it. All or nothing. */
  apply(routes: EnvironmentRoutes): Promise<void>;
  /** Remove an environment; false when it was unknown. */
  remove(environment: string): Promise<boolean>;
  routes(): EnvironmentRoutes[];
  upstreams(): UpstreamStatus[] | Promise<UpstreamStatus[]>;
  stats(): TrafficStats | Promise<TrafficStats>;
  samples(environment: string, service: string, after: number): SamplesPage | Promise<SamplesPage>;
  rum(environment: string, service: string, after: number): RumPage | Promise<RumPage>;
  metrics(): string | Promise<string>;
  /** Process ids of the worker processes serving traffic (none: this process serves it). */
  workerPids?(): number[];
  /** Stop serving; in-flight requests get up to `timeoutMs`. */
  close(timeoutMs: number): Promise<void>;
}
