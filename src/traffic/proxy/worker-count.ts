import { availableParallelism } from 'node:os';

/**
 * `workers: auto`: one worker per core but one, at least one. The built-in proxy shares its machine with the
 * instances it serves and the coordinator; measured on 2 cores with the upstream and the load generator beside it
 * (bench:proxy), one worker served 38,850 req/s and two 28,003 — two workers only added context switches.
 */
export function autoWorkerCount(cores = availableParallelism()): number {
  return Math.max(1, cores - 1);
}
