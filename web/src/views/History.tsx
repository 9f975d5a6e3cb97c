import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client.js';
import type { Deployment } from '../api/types.js';
import { ErrorState, Loading } from '../ui/ErrorState.js';
import { duration, stateWords } from '../ui/format.js';
import { Time } from '../ui/Time.js';

const periods: Record<string, number> = { '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };

/** Past and present deployments, filtered by service, environment, outcome, who and period (kept in the URL). */
export default function History() {
  const [params, setParams] = useSearchParams();
  const f = {
    service: params.get('service') ?? '',
    environment: params.get('environment') ?? '',
    state: params.get('state') ?? '',
    who: params.get('who') ?? '',
    period: params.get('period') ?? '',
  };
  const query = new URLSearchParams({ limit: '500' });
  for (const k of ['service', 'environment', 'state'] as const) if (f[k]) query.set(k, f[k]);
  const list = useQuery({
    queryKey: ['deployments', query.toString()],
    queryFn: () => api<{ deployments: Deployment[] }>('GET', `/api/v1/deployments?${query}`),
  });
  const since = periods[f.period] ? Date.now() - periods[f.period]! : 0;
  const rows = (list.data?.deployments ?? []).filter(
    (d) =>
      (!f.who || (d.requestedBy ?? '').toLowerCase().includes(f.who.toLowerCase())) && Date.parse(d.createdAt) >= since,
  );
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  return (
    <section>
      <h1>History</h1>
      <form className="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Service
          <input value={f.service} onChange={(e) => set('service', e.target.value.trim())} />
        </label>
        <label>
          Environment
          <input value={f.environment} onChange={(e) => set('environment', e.target.value.trim())} />
        </label>
        <label>
          Outcome
          <select value={f.state} onChange={(e) => set('state', e.target.value)}>
            <option value="">any</option>
            {Object.entries(stateWords).map(([k, w]) => (
              <option key={k} value={k}>
                {w}
              </option>
            ))}
          </select>
        </label>
        <label>
          Who
          <input value={f.who} onChange={(e) => set('who', e.target.value)} />
        </label>
        <label>
          Period
          <select value={f.period} onChange={(e) => set('period', e.target.value)}>
            <option value="">all</option>
            <option value="24h">last 24 hours</option>
            <option value="7d">last 7 days</option>
            <option value="30d">last 30 days</option>
          </select>
        </label>
      </form>
      {list.isError ? (
        <ErrorState error={list.error} what="the deployments" />
      ) : !list.data ? (
        <Loading what="the deployments" lines={10} />
      ) : rows.length === 0 ? (
        <p>No deployment matches these filters.</p>
      ) : (
        <div className="table-scroll">
          <table className="history">
            <thead>
              <tr>
                <th scope="col">Deployment</th>
                <th scope="col">Environment</th>
                <th scope="col">Outcome</th>
                <th scope="col">Who</th>
                <th scope="col">Started</th>
                <th scope="col">Took</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((d) => (
                <tr key={d.id}>
                  <td>
                    <Link to={`/deployments/${d.id}`}>
                      {d.service} {d.to.version}
                    </Link>{' '}
                    <span className="muted">{d.kind === 'rollback' ? '(rollback)' : ''}</span>
                  </td>
                  <td>{d.environment}</td>
                  <td className={`state-${d.state}`}>{stateWords[d.state]}</td>
                  <td>{d.requestedBy ?? '—'}</td>
                  <td>
                    <Time at={d.createdAt} />
                  </td>
                  <td>
                    {d.startedAt && d.finishedAt ? duration(Date.parse(d.finishedAt) - Date.parse(d.startedAt)) : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
