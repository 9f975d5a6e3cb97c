import { Gauge, type Registry } from 'prom-client';
import type { Queryable } from '../store/db.js';
import { listProjects } from '../store/repos/projects.js';
import { type EnvironmentKpis, loadKpis } from './load.js';
import type { Kpis } from './model.js';

/** The window the gauges cover: the seed's figures are monthly. */
const windowMs = 30 * 86_400_000;
/** Scrapes closer together than this share one computation. */
const reuseMs = 10_000;

/** Each figure as a gauge value (seconds for durations, fractions for shares); null figures are left out. */
function values(k: Kpis): [string, number | null][] {
  const s = (ms: number | null) => (ms === null ? null : ms / 1000);
  return [
    ['deployments_per_day', k.deploymentFrequency.perDay],
    ['lead_time_median_seconds', s(k.leadTime.medianMs)],
    ['change_failure_ratio', k.changeFailureRate.value],
    ['time_to_restore_incidents_mean_seconds', s(k.timeToRestore.incidents.meanMs)],
    ['time_to_restore_deployments_mean_seconds', s(k.timeToRestore.deployments.meanMs)],
    ['deployment_success_ratio', k.successRate.value],
    ['rollback_ratio', k.rollbackFrequency.value],
    ['mtbf_seconds', s(k.mtbf.valueMs)],
    ['uptime_ratio', k.availability.uptime],
    ['proxy_5xx_ratio', k.availability.errorShare],
  ];
}

/**
 * `slipway_kpi{project, environment, kpi}` over the last 30 days and `slipway_kpi_target_met{…}` (1 pass, 0 fail;
 * absent when unknown), computed from the store when scraped.
 */
export function registerKpiGauges(registry: Registry, db: Queryable): void {
  let cached: { at: number; rows: Promise<(EnvironmentKpis & { project: string })[]> } | undefined;
  const current = () => {
    const now = Date.now();
    if (!cached || now - cached.at > reuseMs) {
      const rows = (async () => {
        const out: (EnvironmentKpis & { project: string })[] = [];
        for (const { config } of await listProjects(db)) {
          const environments = config.environments.map((e) => e.name);
          const figures = await loadKpis(db, {
            project: config.project,
            environments,
            since: new Date(now - windowMs),
            until: new Date(now),
          });
          out.push(...figures.map((f) => ({ ...f, project: config.project })));
        }
        return out;
      })();
      cached = { at: now, rows };
      rows.catch(() => (cached = undefined));
    }
    return cached.rows;
  };
  new Gauge({
    name: 'slipway_kpi',
    help: 'Delivery figures over the last 30 days per environment (seconds, fractions, per day)',
    labelNames: ['project', 'environment', 'kpi'],
    registers: [registry],
    async collect() {
      const rows = await current();
      this.reset();
      for (const { project, environment, kpis } of rows)
        for (const [kpi, value] of values(kpis)) if (value !== null) this.set({ project, environment, kpi }, value);
    },
  });
  new Gauge({
    name: 'slipway_kpi_target_met',
    help: "1 when a figure meets the seed's target over the last 30 days, 0 when it does not (absent: unknown)",
    labelNames: ['project', 'environment', 'kpi'],
    registers: [registry],
    async collect() {
      const rows = await current();
      this.reset();
      for (const { project, environment, kpis: k } of rows) {
        const checks = {
          deployment_success_ratio: k.successRate.check,
          uptime_ratio: k.availability.check,
          time_to_restore_seconds: k.timeToRestore.check,
          rollback_ratio: k.rollbackFrequency.check,
          mtbf_seconds: k.mtbf.check,
        };
        for (const [kpi, c] of Object.entries(checks))
          if (c.status !== 'unknown') this.set({ project, environment, kpi }, c.status === 'pass' ? 1 : 0);
      }
    },
  });
}
