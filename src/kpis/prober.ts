import { request } from 'undici';
import type { ProjectConfig } from '../config/model.js';
import { dataPlaneEnvironment } from '../engine/traffic-controller.js';
import { messageOf } from '../shared/errors.js';
import type { Logger } from '../shared/logging.js';
import type { Queryable } from '../store/db.js';
import { addAvailability } from '../store/repos/availability.js';
import { listServiceStates } from '../store/repos/service-state.js';
import type { TrafficStats } from '../traffic/router.js';
import { type ProbeTarget, probeTargets } from './probe-targets.js';
import { trafficDeltas } from './traffic-deltas.js';

export interface ProberOptions {
  db: Queryable;
  logger: Logger;
  /** The projects to probe (their live services are read from the store each round). */
  projects: () => Promise<ProjectConfig[]>;
  /** The data plane's cumulative counters (Router.stats). */
  stats: () => Promise<TrafficStats>;
  /** Between rounds (default 5 s). */
  intervalMs?: number;
  /** One synthetic request's limit (default 2 s); no answer in time is a failure. */
  timeoutMs?: number;
}

/**
 * Availability measured by Slipway itself: every few seconds one synthetic GET per live service through the
 * proxy (an answer below 500 is up), and the proxy's own request and 5xx counts since the last round, added to
 * the service's minute in the store. A round never throws; a store error is logged and the round is lost.
 */
export class AvailabilityProber {
  private timer: NodeJS.Timeout | undefined;
  private previous: TrafficStats | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly o: ProberOptions) {}

  /** Start probing; idempotent. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.running ??= this.round().finally(() => (this.running = undefined));
    }, this.o.intervalMs ?? 5000);
    this.timer.unref();
  }

  /** Stop and wait for a round in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One round: probe every live service, read the proxy's counters, record both. */
  async round(at = new Date()): Promise<void> {
    try {
      const targets: ProbeTarget[] = [];
      for (const config of await this.o.projects()) {
        const live = (await listServiceStates(this.o.db, config.project)).filter((s) => s.stableRelease);
        targets.push(...probeTargets(config, live));
      }
      const [results, deltas] = await Promise.all([Promise.all(targets.map((t) => this.probe(t))), this.readDeltas()]);
      for (const [i, t] of targets.entries()) {
        const plane = dataPlaneEnvironment(t.project, t.environment);
        const d = deltas.find((x) => x.environment === plane && x.service === t.service);
        await addAvailability(this.o.db, {
          project: t.project,
          environment: t.environment,
          service: t.service,
          at,
          probes: 1,
          probeFailures: results[i] ? 0 : 1,
          requests: d?.requests ?? 0,
          errors5xx: d?.errors5xx ?? 0,
        });
      }
    } catch (e) {
      this.o.logger.warn({ err: messageOf(e) }, 'availability probe round lost');
    }
  }

  private async readDeltas() {
    try {
      const current = await this.o.stats();
      const deltas = trafficDeltas(this.previous, current);
      this.previous = current;
      return deltas;
    } catch {
      // The proxy is down: its counters are unknown this round; the probes say it is unavailable.
      return [];
    }
  }

  private async probe(t: ProbeTarget): Promise<boolean> {
    try {
      const res = await request(t.url, {
        method: 'GET',
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 2000),
        headers: { 'user-agent': 'slipway-availability-probe', ...(t.hostHeader ? { host: t.hostHeader } : {}) },
      });
      await res.body.dump();
      return res.statusCode < 500;
    } catch {
      return false;
    }
  }
}
