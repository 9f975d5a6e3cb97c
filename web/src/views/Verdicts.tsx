import type { MetricResult, Verdict } from '../api/types.js';
import { figure, pValue } from '../ui/format.js';
import { Time } from '../ui/Time.js';

const decisionWords: Record<MetricResult['classification'], string> = {
  pass: 'pass',
  high: 'fail: too high',
  low: 'fail: too low',
  nodata: 'no data yet',
  error: 'signal error',
};

/**
 * The judge's verdicts that decided something (the gates, a failure) and the newest look, each
 * with every rule's figures: the readable form of a canary report.
 */
export function Verdicts({ verdicts }: { verdicts: Verdict[] }) {
  if (verdicts.length === 0)
    return <p className="muted">No verdict: the judge looks once the candidate takes traffic (canary only).</p>;
  const [newest, ...rest] = verdicts;
  const shown = [newest!, ...rest.filter((v) => v.final || v.outcome === 'fail').slice(0, 8)];
  return (
    <div className="verdicts">
      {shown.map((v) => (
        <VerdictTable key={v.id} v={v} newest={v === newest} />
      ))}
    </div>
  );
}

function VerdictTable({ v, newest }: { v: Verdict; newest: boolean }) {
  return (
    <section className={`verdict outcome-${v.outcome}`} data-testid="verdict" data-outcome={v.outcome}>
      <h3>
        {v.final ? `Gate at step ${v.step + 1}` : newest ? 'Newest look' : `Look at step ${v.step + 1}`}:{' '}
        <span className={`badge outcome-${v.outcome}`}>{v.outcome}</span> (score {Math.round(v.score)} of 100){' '}
        <Time at={v.at} />
      </h3>
      <p>{v.reason}</p>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Rule</th>
              <th scope="col">Candidate</th>
              <th scope="col">Stable</th>
              <th scope="col">Baseline</th>
              <th scope="col">Samples (candidate / stable)</th>
              <th scope="col">Statistic</th>
              <th scope="col">Threshold</th>
              <th scope="col">Decision</th>
            </tr>
          </thead>
          <tbody>
            {v.metrics.map((m) => (
              <tr key={`${m.rule}-${m.source}`} className={`cls-${m.classification}`} data-rule={m.rule}>
                <th scope="row">
                  {m.rule}
                  <span className="muted"> ({m.source})</span>
                </th>
                <td>{figure(m.candidate, m.unit)}</td>
                <td>{figure(m.stable, m.unit)}</td>
                <td>{figure(m.baseline, m.unit)}</td>
                <td>
                  {figure(m.candidateCount)} / {figure(m.stableCount)}
                </td>
                <td>
                  {m.statistic
                    ? `${m.statistic.name} = ${figure(m.statistic.value)}, ${pValue(m.statistic.pValue)}`
                    : '—'}
                </td>
                <td>{m.threshold}</td>
                <td className="decision" title={m.message}>
                  {decisionWords[m.classification]}
                  {m.conclusive ? '' : ' (not conclusive)'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
