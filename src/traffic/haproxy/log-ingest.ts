import { TrafficStatsRegistry } from '../proxy/traffic-stats.js';
import { parseLogLine } from './sample-log.js';
import type { ServerLabel } from './state.js';

/**
 * Folds ring dumps into cumulative per-release figures and sample sequences (the same recorders
 * the built-in proxy uses). A dump repeats what the ring still holds, so each worker's previous
 * dump is remembered and only lines it did not have are counted; the ring is a FIFO, so a line once
 * gone never comes back. Lines that left the ring before a dump are lost (size the ring for the
 * read interval).
 */
export class LogIngest {
  readonly registry: TrafficStatsRegistry;
  private readonly seen = new Map<number, Set<string>>();

  constructor(startedAt: number) {
    this.registry = new TrafficStatsRegistry(startedAt);
  }

  /** Count the new lines of one worker's ring dump; `label` names a server's release. */
  ingest(worker: number, dump: string, label: (server: string) => ServerLabel | undefined): void {
    const before = this.seen.get(worker) ?? new Set<string>();
    const now = new Set<string>();
    for (const line of dump.split('\n')) {
      const request = parseLogLine(line);
      if (request === undefined) continue;
      now.add(request.key);
      if (before.has(request.key)) continue;
      const who = label(request.server);
      if (who === undefined) continue;
      this.registry
        .recorder(who.environment, who.service, who.release)
        .record(request.status, request.latencyMs, request.proxyError, request.at);
    }
    this.seen.set(worker, now);
  }

  /** Count one line of a live tail (ring-tail.ts), unless the worker's last dump or the tail already had it. */
  ingestLine(worker: number, line: string, label: (server: string) => ServerLabel | undefined): void {
    const request = parseLogLine(line);
    if (request === undefined) return;
    const seen = this.seen.get(worker) ?? new Set<string>();
    this.seen.set(worker, seen);
    if (seen.has(request.key)) return;
    seen.add(request.key);
    const who = label(request.server);
    if (who !== undefined)
      this.registry
        .recorder(who.environment, who.service, who.release)
        .record(request.status, request.latencyMs, request.proxyError, request.at);
  }

  /** Forget workers that exited (their rings are gone). */
  keepWorkers(workers: readonly number[]): void {
    for (const pid of this.seen.keys()) if (!workers.includes(pid)) this.seen.delete(pid);
  }
}
