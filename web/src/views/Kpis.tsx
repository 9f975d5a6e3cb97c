import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { api } from '../api/client.js';
import type { Check, Kpis as KpiFigures } from '../api/observe-types.js';
import { projectPath } from '../api/projects.js';
import { ErrorState, Loading } from '../ui/ErrorState.js';
import { duration } from '../ui/format.js';
import { useChosenProject } from '../ui/ProjectPicker.js';

const periods = ['7d', '30d', '90d'] as const;
const percent = (share: number | null) => (share === null ? '—' : `${Math.round(share * 1000) / 10} %`);
/** "≥ 99.9 %" → 0.999: where the target line is drawn on a share's bar. */
const targetShare = (c: Check) => {
  const m = /([\d.]+)\s*%/.exec(c.target);
  return m ? Number(m[1]) / 100 : null;
};
const plural = (n: number, word: string) => `${n.toLocaleString('en')} ${word}${n === 1 ? '' : 's'}`;
/** What the time to restore is the mean of (the check names its basis when it is the deployments), and what is open. */
const restoreDetail = (t: KpiFigures['timeToRestore']) =>
  [
    `${plural(t.incidents.count, 'incident')} restored` + (t.incidents.open ? `, ${t.incidents.open} open` : ''),
    `${plural(t.deployments.count, 'bad deployment')} restored` +
      (t.deployments.open ? `, ${t.deployments.open} open` : ''),
  ].join('; ');
const checkWords = { pass: 'meets the target', fail: 'misses the target', unknown: 'no data yet' } as const;

/** The delivery figures per environment against the seed's targets: shares as bars with the target marked. */
export default function Kpis() {
  const { project, picker, error } = useChosenProject();
  const [params, setParams] = useSearchParams();
  const since = periods.find((p) => p === params.get('since')) ?? '30d';
  const q = useQuery({
    queryKey: ['kpis', project?.name, since],
    queryFn: () =>
      api<{ since: string; until: string; environments: { environment: string; kpis: KpiFigures }[] }>(
        'GET',
        projectPath(project!.name, `/kpis?since=${since}`),
      ),
    enabled: !!project,
  });
  if (error) return <ErrorState error={error} what="the projects" />;
  return (
    <section>
      <h1>Delivery figures</h1>
      <form className="filters" aria-label="Period" onSubmit={(e) => e.preventDefault()}>
        {picker}
        <label>
          Period
          <select
            value={since}
            onChange={(e) => {
              const next = new URLSearchParams(params);
              next.set('since', e.target.value);
              setParams(next, { replace: true });
            }}
          >
            {periods.map((p) => (
              <option key={p} value={p}>
                last {p.replace('d', ' days')}
              </option>
            ))}
          </select>
        </label>
      </form>
      {q.isError ? (
        <ErrorState error={q.error} what="the delivery figures" />
      ) : !q.data ? (
        <Loading what="the delivery figures" lines={16} />
      ) : (
        q.data.environments.map(({ environment, kpis: k }) => (
          <section key={environment} className="kpis" data-environment={environment} aria-label={environment}>
            <h2>{environment}</h2>
            <DeploymentBar k={k} />
            <div className="kpi-grid">
              <ShareBar name="Success rate" value={k.successRate.value} check={k.successRate.check} />
              <ShareBar
                name="Rollback frequency"
                value={k.rollbackFrequency.value}
                check={k.rollbackFrequency.check}
                detail={plural(k.rollbackFrequency.rollbacks, 'rollback')}
              />
              <ShareBar
                name="Change failure rate"
                value={k.changeFailureRate.value}
                detail={plural(k.changeFailureRate.failedChanges, 'failed change')}
              />
              <ShareBar
                name="Availability"
                value={k.availability.uptime}
                check={k.availability.check}
                detail={`${plural(k.availability.probes, 'probe')}, ${k.availability.probeFailures} failed`}
              />
              <Figure
                name="Time to restore (mean)"
                value={k.timeToRestore[k.timeToRestore.judgedOn].meanMs}
                check={k.timeToRestore.check}
                detail={restoreDetail(k.timeToRestore)}
              />
              <Figure
                name="Lead time (median)"
                value={k.leadTime.medianMs}
                detail={plural(k.leadTime.count, 'change')}
              />
              <Figure
                name="Mean time between failures"
                value={k.mtbf.valueMs}
                check={k.mtbf.check}
                detail={plural(k.mtbf.failures, 'failure')}
              />
              <div className="kpi">
                <h3>Deployment frequency</h3>
                <p className="kpi-value">{k.deploymentFrequency.perDay.toLocaleString('en')} per day</p>
                <p className="muted">
                  {k.deploymentFrequency.succeeded} succeeded; incidents: {k.incidents.opened} opened,{' '}
                  {k.incidents.open} open
                </p>
              </div>
            </div>
          </section>
        ))
      )}
    </section>
  );
}

/** Finished deployments as one stacked bar by what became of them: ok, rolled back (at any time), failed. */
function DeploymentBar({ k }: { k: KpiFigures }) {
  const d = k.deployments;
  const words = `${d.finished} finished: ${d.succeeded} ok, ${d.rolledBack} rolled back, ${d.failed} failed`;
  return (
    <div className="traffic">
      <div className="bar" role="img" aria-label={`deployments: ${words}`}>
        <span className="seg stable" style={{ flexGrow: d.succeeded }} />
        <span className="seg candidate" style={{ flexGrow: d.rolledBack }} />
        <span className="seg failed" style={{ flexGrow: d.failed }} />
      </div>
      <p>{words}</p>
    </div>
  );
}

function CheckBadge({ check }: { check?: Check }) {
  if (!check) return null;
  return (
    <span className={`flag check-${check.status}`}>
      target {check.target}: {checkWords[check.status]}
      {/* MTBF without a failure: how much history there is, so "no data yet" does not read as a miss; MTTR: what is
          still open, or that it is judged on the deployments. */}
      {check.note ? ` (${check.note})` : ''}
    </span>
  );
}

/** A share (0–1) as a bar with the target marked on it. */
function ShareBar({
  name,
  value,
  check,
  detail,
}: {
  name: string;
  value: number | null;
  check?: Check;
  detail?: string;
}) {
  const target = check ? targetShare(check) : null;
  return (
    <div className="kpi" data-kpi={name}>
      <h3>{name}</h3>
      <p className="kpi-value">{percent(value)}</p>
      <div
        className="meter"
        role="img"
        aria-label={`${name} ${percent(value)}${check ? `, target ${check.target}` : ''}`}
      >
        <span className="fill" style={{ width: `${Math.min(100, (value ?? 0) * 100)}%` }} />
        {target !== null && <span className="target" style={{ left: `${Math.min(100, target * 100)}%` }} />}
      </div>
      <CheckBadge check={check} />
      {detail && <p className="muted">{detail}</p>}
    </div>
  );
}

function Figure({
  name,
  value,
  check,
  detail,
}: {
  name: string;
  value: number | null;
  check?: Check;
  detail?: string;
}) {
  return (
    <div className="kpi" data-kpi={name}>
      <h3>{name}</h3>
      <p className="kpi-value">{value === null ? '—' : duration(value)}</p>
      <CheckBadge check={check} />
      {detail && <p className="muted">{detail}</p>}
    </div>
  );
}
