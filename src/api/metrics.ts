import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Queryable } from '../store/db.js';
import { registerKpiGauges } from '../kpis/gauges.js';

let processRegistry: Registry | undefined;

/**
 * The process's own metrics (CPU, memory, event-loop lag, GC), registered once per process and only once someone
 * scrapes: prom-client's default metrics start an event-loop-delay monitor (a 10 ms timer) and a GC observer that
 * nothing ever stops, so one set per coordinator object piled up in a process that made many (a test worker builds
 * hundreds of APIs), and a coordinator nobody scrapes need not wake up 100 times a second.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: 'slipway_coordinator_' });
  }
  return processRegistry;
}

/** The coordinator's own Prometheus metrics (the data plane exposes traffic metrics itself). */
export function createCoordinatorMetrics(db: Queryable) {
  const registry = new Registry();
  const requests = new Counter({
    name: 'slipway_api_requests_total',
    help: 'API requests by method, route and status code',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'slipway_api_request_duration_seconds',
    help: 'API request latency',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });
  new Gauge({
    name: 'slipway_deployments',
    help: 'Deployments by state',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const { rows } = await db.query<{ state: string; n: number }>(
        'select state, count(*)::int as n from deployments group by state',
      );
      this.reset();
      for (const r of rows) this.set({ state: r.state }, Number(r.n));
    },
  });
  new Gauge({
    name: 'slipway_instances',
    help: 'Instances that should be running or warm, by state',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const { rows } = await db.query<{ state: string; n: number }>(
        `select state, count(*)::int as n from instances where desired <> 'stopped' group by state`,
      );
      this.reset();
      for (const r of rows) this.set({ state: r.state }, Number(r.n));
    },
  });
  registerKpiGauges(registry, db);
  /** The text of GET /metrics: the process's metrics and this coordinator's. */
  const text = () => Registry.merge([processMetrics(), registry]).metrics();
  return { registry, requests, duration, text };
}

export type CoordinatorMetrics = ReturnType<typeof createCoordinatorMetrics>;
