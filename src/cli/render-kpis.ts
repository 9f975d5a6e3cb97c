import type { Kpis, RestoreSummary, TargetCheck } from '../kpis/model.js';
import { formatDuration } from '../shared/duration.js';
import { type Cell, green, painted, red, table } from './output.js';

/** GET /api/v1/projects/:project/kpis as the CLI receives it. */
export interface KpisView {
  since: string;
  until: string;
  environments: { environment: string; service?: string; kpis: Kpis }[];
}

/** Every figure without a value reads the same, so an empty period is not mistaken for a zero. */
const noData = 'no data';
const pct = (x: number) => `${(Math.round(x * 10_000) / 100).toString()} %`;
// Days rounded down: an MTBF a minute short of 30 days reads 29.9d next to its FAIL, not 30.0d.
const dur = (ms: number) =>
  ms >= 86_400_000 ? `${(Math.floor(ms / 8_640_000) / 10).toFixed(1)}d` : formatDuration(ms);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const status = (c?: TargetCheck) =>
  painted(
    !c
      ? ''
      : (c.status === 'pass' ? green('pass') : c.status === 'fail' ? red('FAIL') : noData) +
          (c.note ? `: ${c.note}` : ''),
  );

/** A share and what it is of, or no data. */
const shareOf = (x: number | null, of: string) => (x === null ? noData : `${pct(x)}${of}`);

/** A mean time to restore over those restored, and how many are still open (the check's note says for how long). */
const restores = (r: RestoreSummary) =>
  (r.meanMs === null ? noData : `${dur(r.meanMs)} over ${r.count}`) + (r.open ? ` (${r.open} open)` : '');

/** MTBF; without a failure the mean is at least the time up, which is what it shows. */
function mtbf(m: Kpis['mtbf']): string {
  if (m.failures === 0) return `${m.upMs > 0 ? `≥ ${dur(m.upMs)}` : noData} (no failure)`;
  return `${m.valueMs === null ? noData : dur(m.valueMs)} (${plural(m.failures, 'failure')}, ${dur(m.upMs)} up)`;
}

/** One environment's table: figure, value, target and whether it is met. */
function kpiTable(k: Kpis): string {
  const ttr = k.timeToRestore;
  // MTTR's verdict sits on the row it judges: the deployments' only when the period had no incident.
  const judged = (on: typeof ttr.judgedOn): Cell[] =>
    ttr.judgedOn === on ? [ttr.check.target, status(ttr.check)] : ['', ''];
  const rows: Cell[][] = [
    [
      'deployments',
      `${k.deployments.finished} (${k.deployments.succeeded} ok, ${k.deployments.rolledBack} rolled back, ` +
        `${k.deployments.failed} failed)`,
      '',
      '',
    ],
    ['deployment frequency', `${k.deploymentFrequency.perDay.toFixed(2)}/day`, '', ''],
    [
      'lead time (median)',
      k.leadTime.medianMs === null ? noData : `${dur(k.leadTime.medianMs)} over ${k.leadTime.count}`,
      '',
      '',
    ],
    ['change failure rate', shareOf(k.changeFailureRate.value, ` (${k.changeFailureRate.failedChanges})`), '', ''],
    ['success rate', shareOf(k.successRate.value, ''), k.successRate.check.target, status(k.successRate.check)],
    [
      'rollback frequency',
      shareOf(k.rollbackFrequency.value, ` (${k.rollbackFrequency.rollbacks})`),
      k.rollbackFrequency.check.target,
      status(k.rollbackFrequency.check),
    ],
    ['MTTR (incidents)', restores(ttr.incidents), ...judged('incidents')],
    ['MTTR (deployments)', restores(ttr.deployments), ...judged('deployments')],
    ['MTBF', mtbf(k.mtbf), k.mtbf.check.target, status(k.mtbf.check)],
    [
      'uptime (probes)',
      shareOf(k.availability.uptime, ` of ${k.availability.probes}`),
      k.availability.check.target,
      status(k.availability.check),
    ],
    ['proxy 5xx share', shareOf(k.availability.errorShare, ` of ${k.availability.requests}`), '', ''],
    ['incidents', `${k.incidents.opened} opened, ${k.incidents.open} open`, '', ''],
  ];
  return table(['KPI', 'VALUE', 'TARGET', 'STATUS'], rows);
}

/** One table per environment, a blank line between them. */
export function renderKpis(view: KpisView): string {
  const blocks = view.environments.map(
    ({ environment, service, kpis }) => `${environment}${service ? ` / ${service}` : ''}\n${kpiTable(kpis)}\n`,
  );
  return `delivery KPIs from ${view.since} to ${view.until}\n\n${blocks.join('\n')}`;
}
