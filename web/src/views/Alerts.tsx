import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.js';
import type { Alert, Silence } from '../api/observe-types.js';
import { projectPath } from '../api/projects.js';
import { Scroll } from '../ui/Scroll.js';
import { ErrorState, Loading } from '../ui/ErrorState.js';
import { alertFigure } from '../ui/format.js';
import { useChosenProject } from '../ui/ProjectPicker.js';
import { Time } from '../ui/Time.js';

/** The service an alert is about: its label, else the last part of its group (project/environment/service). */
export const alertService = (a: Alert) => a.labels.service || a.groupKey.split('/')[2] || 'every service';

/** Alerts pending or firing now with their figures (value against threshold), and the silences in force; live. */
export default function Alerts() {
  const { project, picker, error } = useChosenProject();
  const alerts = useQuery({
    queryKey: ['alerts', project?.name],
    queryFn: () => api<{ alerts: Alert[] }>('GET', projectPath(project!.name, '/alerts')),
    enabled: !!project,
  });
  const silences = useQuery({
    queryKey: ['alerts', project?.name, 'silences'],
    queryFn: () => api<{ silences: Silence[] }>('GET', projectPath(project!.name, '/silences')),
    enabled: !!project,
  });
  if (error) return <ErrorState error={error} what="the projects" />;
  const order = { firing: 0, pending: 1 } as const;
  const list = [...(alerts.data?.alerts ?? [])].sort(
    (a, b) =>
      order[a.state] - order[b.state] ||
      (a.severity === b.severity ? 0 : a.severity === 'critical' ? -1 : 1) ||
      a.activeSince.localeCompare(b.activeSince),
  );
  return (
    <section>
      <h1>Alerts</h1>
      {picker && <div className="filters">{picker}</div>}
      {alerts.isError ? (
        <ErrorState error={alerts.error} what="the alerts" />
      ) : !alerts.data ? (
        <Loading what="the alerts" lines={6} />
      ) : list.length === 0 ? (
        <p className="muted" data-testid="no-alerts">
          No alert is pending or firing.
        </p>
      ) : (
        <Scroll label="Alerts pending or firing">
          <table className="list">
            <caption className="sr-only">Alerts pending or firing now</caption>
            <thead>
              <tr>
                <th scope="col">State</th>
                <th scope="col">Rule</th>
                <th scope="col">Where</th>
                <th scope="col">Value</th>
                <th scope="col">Threshold</th>
                <th scope="col">Since</th>
                <th scope="col">Announced</th>
              </tr>
            </thead>
            <tbody>
              {list.map((a) => (
                <tr key={`${a.environment} ${a.fingerprint}`} data-alert={a.rule} data-state={a.state}>
                  <td>
                    <span className={`flag alert-${a.state}`}>{a.state}</span>{' '}
                    <span className={`flag sev-${a.severity}`}>{a.severity}</span>
                  </td>
                  <td>
                    {a.rule}
                    <div className="muted">{a.summary}</div>
                  </td>
                  <td>
                    {a.environment} / {alertService(a)}
                    <div className="muted mono">
                      {Object.entries(a.labels)
                        .map(([k, v]) => `${k}=${v}`)
                        .join(' ')}
                    </div>
                  </td>
                  <td className="figure">{alertFigure(a.value, a.unit)}</td>
                  <td className="figure">{alertFigure(a.threshold, a.unit)}</td>
                  <td>
                    <Time at={a.firedAt ?? a.activeSince} />
                  </td>
                  <td>{a.mutedBy ? `muted: ${a.mutedBy}` : a.state === 'firing' ? 'yes' : 'not yet (pending)'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
      <h2>Silences</h2>
      {silences.isError ? (
        <ErrorState error={silences.error} what="the silences" />
      ) : !silences.data ? (
        <Loading what="the silences" lines={3} />
      ) : silences.data.silences.length === 0 ? (
        <p className="muted">No silence is in force.</p>
      ) : (
        <Scroll label="Silences">
          <table className="list">
            <thead>
              <tr>
                <th scope="col">Environment</th>
                <th scope="col">Matchers</th>
                <th scope="col">Comment</th>
                <th scope="col">By</th>
                <th scope="col">Ends</th>
              </tr>
            </thead>
            <tbody>
              {silences.data.silences.map((s) => (
                <tr key={s.id} data-silence={s.id}>
                  <td>{s.environment}</td>
                  <td className="mono">{s.matchers.join(', ')}</td>
                  <td>{s.comment}</td>
                  <td>{s.createdBy}</td>
                  <td>
                    <Time at={s.endsAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
    </section>
  );
}
