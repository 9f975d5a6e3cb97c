import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client.js';
import type { Incident } from '../api/observe-types.js';
import { projectPath } from '../api/projects.js';
import { Scroll } from '../ui/Scroll.js';
import { ErrorState, Loading } from '../ui/ErrorState.js';
import { duration } from '../ui/format.js';
import { useChosenProject } from '../ui/ProjectPicker.js';
import { Time } from '../ui/Time.js';

/** A project's incidents, open ones by default, newest first; live. */
export default function Incidents() {
  const { project, picker, error } = useChosenProject();
  const [params, setParams] = useSearchParams();
  const state = params.get('state') ?? 'open';
  const query = new URLSearchParams({ limit: '200' });
  if (state) query.set('state', state);
  const list = useQuery({
    queryKey: ['incidents', project?.name, query.toString()],
    queryFn: () => api<{ incidents: Incident[] }>('GET', projectPath(project!.name, `/incidents?${query}`)),
    enabled: !!project,
  });
  if (error) return <ErrorState error={error} what="the projects" />;
  return (
    <section>
      <h1>Incidents</h1>
      <form className="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        {picker}
        <label>
          State
          <select
            value={state}
            onChange={(e) => {
              const next = new URLSearchParams(params);
              next.set('state', e.target.value);
              setParams(next, { replace: true });
            }}
          >
            <option value="open">open</option>
            <option value="triggered">triggered</option>
            <option value="acknowledged">acknowledged</option>
            <option value="resolved">resolved</option>
            <option value="">any</option>
          </select>
        </label>
      </form>
      {list.isError ? (
        <ErrorState error={list.error} what="the incidents" />
      ) : !list.data ? (
        <Loading what="the incidents" lines={6} />
      ) : list.data.incidents.length === 0 ? (
        <p className="muted">No incident{state ? ` is ${state}` : ''}.</p>
      ) : (
        <Scroll label="Incidents">
          <table className="list">
            <caption className="sr-only">Incidents, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Incident</th>
                <th scope="col">Severity</th>
                <th scope="col">State</th>
                <th scope="col">Where</th>
                <th scope="col">Owner</th>
                <th scope="col">Opened</th>
                <th scope="col">To resolve</th>
              </tr>
            </thead>
            <tbody>
              {list.data.incidents.map((i) => (
                <tr key={i.id} data-incident={i.id}>
                  <td>
                    <Link to={`/incidents/${encodeURIComponent(i.id)}`}>{i.title}</Link>
                  </td>
                  <td>
                    <span className={`flag ${i.severity}`}>{i.severity}</span>
                  </td>
                  <td>
                    <span className={`flag incident-${i.state}`}>{i.state}</span>
                  </td>
                  <td>
                    {i.environment === '*' ? 'every environment' : i.environment}
                    {i.service ? ` / ${i.service}` : ''}
                  </td>
                  <td>{i.owner ?? '—'}</td>
                  <td>
                    <Time at={i.openedAt} />
                  </td>
                  <td>{i.timeToResolveMs !== null ? duration(i.timeToResolveMs) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
    </section>
  );
}
