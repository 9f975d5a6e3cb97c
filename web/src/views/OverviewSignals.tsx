import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../api/client.js';
import type { Alert, Incident } from '../api/observe-types.js';
import { projectPath } from '../api/projects.js';

/** What is wrong now in a project: firing alerts and open incidents (one query, refreshed by their events). */
export function useProjectSignals(project: string) {
  return useQuery({
    queryKey: ['observe', project],
    queryFn: async () => {
      const [alerts, incidents] = await Promise.all([
        api<{ alerts: Alert[] }>('GET', projectPath(project, '/alerts')),
        api<{ incidents: Incident[] }>('GET', projectPath(project, '/incidents?state=open&limit=500')),
      ]);
      return { alerts: alerts.alerts.filter((a) => a.state === 'firing'), incidents: incidents.incidents };
    },
  });
}

type Signals = ReturnType<typeof useProjectSignals>['data'];
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The firing alerts and open incidents of one service in one environment (`service` null: those of the whole
 * environment or project). Always one line, so nothing shifts when the figures arrive.
 */
export function SignalLine({
  signals,
  environment,
  service,
}: {
  signals: Signals;
  environment: string;
  service: string | null;
}) {
  if (!signals) return <p className="signals muted">alerts and incidents: loading…</p>;
  const alerts = signals.alerts.filter(
    (a) => a.environment === environment && (a.labels.service || a.groupKey.split('/')[2] || null) === service,
  );
  const incidents = signals.incidents.filter((i) =>
    service === null
      ? i.service === null && (i.environment === environment || i.environment === '*')
      : i.environment === environment && i.service === service,
  );
  if (service === null && alerts.length === 0 && incidents.length === 0) return null;
  if (alerts.length === 0 && incidents.length === 0)
    return <p className="signals muted">no alert firing, no open incident</p>;
  return (
    <p className="signals warn" data-signals={`${alerts.length} ${incidents.length}`}>
      {alerts.length > 0 && (
        <Link to="/alerts" title={alerts.map((a) => a.rule).join(', ')}>
          {plural(alerts.length, 'alert')} firing
        </Link>
      )}
      {alerts.length > 0 && incidents.length > 0 && ' · '}
      {incidents.length === 1 ? (
        <Link to={`/incidents/${encodeURIComponent(incidents[0]!.id)}`}>1 incident open</Link>
      ) : (
        incidents.length > 1 && <Link to="/incidents">{plural(incidents.length, 'incident')} open</Link>
      )}
    </p>
  );
}
