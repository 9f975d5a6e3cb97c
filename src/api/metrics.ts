import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Queryable } from '../store/db.js';
import { registerKpiGauges } from '../kpis/gauges.js';

/** The coordinator's own Prometheus metrics (the data plane exposes traffic metrics itself). */
export function createCoordinatorMetrics(db: Queryable) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'slipway_coordinator_' });
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
  return { registry, requests, duration };
}

export type CoordinatorMetrics = ReturnType<typeof createCoordinatorMetrics>;
