import type { Kpis, TargetCheck } from '../kpis/model.js';
import { formatDuration } from '../shared/duration.js';
import { type Cell, green, painted, red, table } from './output.js';

/** GET /api/v1/projects/:project/kpis as the CLI receives it. */
export interface KpisView {
  since: string;
  until: string;
  environments: { environment: string; service?: string; kpis: Kpis }[];
}

const pct = (x: number | null) => (x === null ? '-' : `${(Math.round(x * 10_000) / 100).toString()} %`);
// Days rounded down: an MTBF a minute short of 30 days reads 29.9d next to its FAIL, not 30.0d.
const dur = (ms: number | null) =>
  ms === null ? '-' : ms >= 86_400_000 ? `${(Math.floor(ms / 8_640_000) / 10).toFixed(1)}d` : formatDuration(ms);
const status = (c?: TargetCheck) =>
  painted(
    !c
      ? ''
      : (c.status === 'pass' ? green('pass') : c.status === 'fail' ? red('FAIL') : 'no data') +
          (c.note ? `: ${c.note}` : ''),
  );

/** One table per environment: figure, value, target and whether it is met. */
export function renderKpis(view: KpisView): string {
  const out = [`delivery KPIs from ${view.since} to ${view.until}\n`];
  for (const { environment, service, kpis: k } of view.environments) {
    const ttr = k.timeToRestore;
    const rows: Cell[][] = [
      [
        'deployments',
        `${k.deployments.finished} (${k.deployments.succeeded} ok, ${k.deployments.rolledBack} rolled back, ` +
          `${k.deployments.failed} failed)`,
        '',
        '',
      ],
      ['deployment frequency', `${k.deploymentFrequency.perDay.toFixed(2)}/day`, '', ''],
      ['lead time (median)', `${dur(k.leadTime.medianMs)} over ${k.leadTime.count}`, '', ''],
      ['change failure rate', `${pct(k.changeFailureRate.value)} (${k.changeFailureRate.failedChanges})`, '', ''],
      ['success rate', pct(k.successRate.value), k.successRate.check.target, status(k.successRate.check)],
      [
        'rollback frequency',
        `${pct(k.rollbackFrequency.value)} (${k.rollbackFrequency.rollbacks})`,
        k.rollbackFrequency.check.target,
        status(k.rollbackFrequency.check),
      ],
      [
        'MTTR (incidents)',
        `${dur(ttr.incidents.meanMs)} over ${ttr.incidents.count}`,
        ttr.check.target,
        status(ttr.check),
      ],
      ['time to restore (deployments)', `${dur(ttr.deployments.meanMs)} over ${ttr.deployments.count}`, '', ''],
      [
        'MTBF',
        `${dur(k.mtbf.valueMs)} (${k.mtbf.failures} failures, ${dur(k.mtbf.upMs)} up)`,
        k.mtbf.check.target,
        status(k.mtbf.check),
      ],
      [
        'uptime (probes)',
        `${pct(k.availability.uptime)} of ${k.availability.probes}`,
        k.availability.check.target,
        status(k.availability.check),
      ],
      ['proxy 5xx share', `${pct(k.availability.errorShare)} of ${k.availability.requests}`, '', ''],
      ['incidents', `${k.incidents.opened} opened, ${k.incidents.open} open`, '', ''],
    ];
    out.push(`\n${environment}${service ? ` / ${service}` : ''}\n${table(['KPI', 'VALUE', 'TARGET', ''], rows)}`);
  }
  return `${out.join('')}\n`;
}
