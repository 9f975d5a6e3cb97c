import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client.js';
import type { Issue } from '../api/observe-types.js';
import { projectPath } from '../api/projects.js';
import { Scroll } from '../ui/Scroll.js';
import { ErrorState, Loading } from '../ui/ErrorState.js';
import { useChosenProject } from '../ui/ProjectPicker.js';
import { Time } from '../ui/Time.js';

/** Error issues (grouped events from the SDKs) per environment and release, flagged new or regressed; live. */
export default function Errors() {
  const { project, picker, error } = useChosenProject();
  const [params, setParams] = useSearchParams();
  const f = {
    environment: params.get('environment') ?? '',
    release: params.get('release') ?? '',
    status: params.get('status') ?? 'unresolved',
  };
  const query = new URLSearchParams({ limit: '200' });
  for (const k of ['environment', 'release', 'status'] as const) if (f[k]) query.set(k, f[k]);
  const list = useQuery({
    queryKey: ['errors', project?.name, query.toString()],
    queryFn: () => api<{ issues: Issue[] }>('GET', projectPath(project!.name, `/errors?${query}`)),
    enabled: !!project,
  });
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    next.set(key, value);
    if (!value && key !== 'status') next.delete(key);
    setParams(next, { replace: true });
  };
  if (error) return <ErrorState error={error} what="the projects" />;
  return (
    <section>
      <h1>Errors</h1>
      <form className="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        {picker}
        <label>
          Environment
          <select value={f.environment} onChange={(e) => set('environment', e.target.value)}>
            <option value="">all</option>
            {project?.environments.map((e) => (
              <option key={e.name}>{e.name}</option>
            ))}
          </select>
        </label>
        <label>
          Release
          <input value={f.release} placeholder="any" onChange={(e) => set('release', e.target.value.trim())} />
        </label>
        <label>
          Status
          <select value={f.status} onChange={(e) => set('status', e.target.value)}>
            <option value="">any</option>
            <option value="unresolved">unresolved</option>
            <option value="resolved">resolved</option>
            <option value="ignored">ignored</option>
          </select>
        </label>
      </form>
      {list.isError ? (
        <ErrorState error={list.error} what="the error issues" />
      ) : !list.data ? (
        <Loading what="the error issues" lines={8} />
      ) : list.data.issues.length === 0 ? (
        <p className="muted">No issue matches{f.release ? ` in release ${f.release}` : ''}.</p>
      ) : (
        <Scroll label="Error issues">
          <table className="list">
            <caption className="sr-only">Error issues, most recently seen first</caption>
            <thead>
              <tr>
                <th scope="col">Issue</th>
                <th scope="col">Flags</th>
                <th scope="col">Events</th>
                <th scope="col">Users</th>
                <th scope="col">Where</th>
                <th scope="col">Last seen</th>
              </tr>
            </thead>
            <tbody>
              {list.data.issues.map((i) => (
                <tr key={i.id} data-issue={i.id}>
                  <td>
                    <Link to={`/errors/${encodeURIComponent(i.id)}`}>{i.title}</Link>
                    {i.culprit && <div className="muted mono">{i.culprit}</div>}
                  </td>
                  <td>
                    <IssueFlags issue={i} release={f.release} />
                  </td>
                  <td>
                    {i.events.toLocaleString('en')} event{i.events === 1 ? '' : 's'}
                  </td>
                  <td>
                    {i.users.toLocaleString('en')} user{i.users === 1 ? '' : 's'}
                  </td>
                  <td>{[...new Set(i.counts.map((c) => `${c.environment} ${c.release}`))].slice(0, 3).join(', ')}</td>
                  <td>
                    <Time at={i.lastSeen} />
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

/** new (in the release asked for, or first seen in its first release), regressed, level, unhandled, status. */
export function IssueFlags({ issue, release }: { issue: Issue; release?: string }) {
  const isNew = release ? issue.newInRelease : issue.counts.some((c) => c.new && c.release === issue.firstRelease);
  return (
    <span className="flags">
      {isNew && <span className="flag new">new{release ? ` in ${release}` : ` in ${issue.firstRelease}`}</span>}
      {issue.regressed && (
        <span className="flag regressed">regressed{issue.regressedRelease ? ` in ${issue.regressedRelease}` : ''}</span>
      )}
      <span className={`flag level-${issue.level}`}>{issue.level}</span>
      {issue.unhandled && <span className="flag">unhandled</span>}
      {issue.status !== 'unresolved' && <span className="flag">{issue.status}</span>}
    </span>
  );
}
