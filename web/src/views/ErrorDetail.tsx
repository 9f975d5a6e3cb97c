import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api } from '../api/client.js';
import type { Issue, LatestEvent } from '../api/observe-types.js';
import { Scroll } from '../ui/Scroll.js';
import { ErrorState, Loading } from '../ui/ErrorState.js';
import { Time } from '../ui/Time.js';
import { IssueFlags } from './Errors.js';

/** One issue: its counts per release and environment, and the latest event's stack trace and tags. */
export default function ErrorDetail() {
  const { id = '' } = useParams();
  const q = useQuery({
    queryKey: ['errors', 'issue', id],
    queryFn: () => api<{ issue: Issue; latest: LatestEvent | null }>('GET', `/api/v1/errors/${encodeURIComponent(id)}`),
  });
  if (q.isError) return <ErrorState error={q.error} what={`issue ${id}`} />;
  if (!q.data) return <Loading what={`issue ${id}`} lines={12} />;
  const { issue, latest } = q.data;
  return (
    <section>
      <p>
        <Link to="/errors">← Errors</Link>
      </p>
      <h1 data-testid="issue-title">{issue.title}</h1>
      <p>
        <IssueFlags issue={issue} /> {issue.culprit && <span className="mono">{issue.culprit}</span>}
      </p>
      <p>
        first seen <Time at={issue.firstSeen} /> in {issue.firstRelease}; last seen <Time at={issue.lastSeen} />
        {issue.regressedAt && (
          <>
            ; regressed <Time at={issue.regressedAt} />
          </>
        )}
      </p>
      <h2>Per release and environment</h2>
      <Scroll label="Per release and environment">
        <table className="list">
          <thead>
            <tr>
              <th scope="col">Environment</th>
              <th scope="col">Release</th>
              <th scope="col">Events</th>
              <th scope="col">Users</th>
              <th scope="col">First seen</th>
              <th scope="col">Last seen</th>
            </tr>
          </thead>
          <tbody>
            {issue.counts.map((c) => (
              <tr key={`${c.environment} ${c.release}`}>
                <td>{c.environment}</td>
                <td>
                  {c.release} {c.new && <span className="flag new">new</span>}
                </td>
                <td>
                  {c.events.toLocaleString('en')} event{c.events === 1 ? '' : 's'}
                </td>
                <td>
                  {c.users.toLocaleString('en')} user{c.users === 1 ? '' : 's'}
                </td>
                <td>
                  <Time at={c.firstSeen} />
                </td>
                <td>
                  <Time at={c.lastSeen} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Scroll>
      <h2>Latest event</h2>
      {!latest ? (
        <p className="muted">No event of this issue is stored in the environments you may view.</p>
      ) : (
        <LatestEventView e={latest} />
      )}
    </section>
  );
}

function LatestEventView({ e }: { e: LatestEvent }) {
  return (
    <div className="latest-event">
      <p>
        {e.environment}, release {e.release}, received <Time at={e.receivedAt} />
        {e.sdk ? `, from ${e.sdk}` : ''}
      </p>
      {e.message && <pre className="message">{e.message}</pre>}
      {e.exceptions.map((x, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list; equal entries (recursion, same second) repeat.
        <div key={`${i}-${x.type}`} className="exception">
          <h3>
            {x.type ?? 'Error'}: {x.value ?? ''} {x.handled === false && <span className="flag">unhandled</span>}
          </h3>
          {/* The SDKs send the innermost frame last; shown first, as Node prints a stack. */}
          <ol className="frames" data-testid="frames">
            {[...x.frames].reverse().map((f, j) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list; equal entries repeat (recursion, a second).
              <li key={`${j}-${f.filename}-${f.lineno}`} className={f.inApp ? 'in-app' : 'library'}>
                <span className="mono">{f.function ?? '<anonymous>'}</span> at{' '}
                <span className="mono">
                  {f.filename ?? '?'}:{f.lineno ?? '?'}
                </span>
                {f.inApp === false && <span className="muted"> (library)</span>}
              </li>
            ))}
          </ol>
        </div>
      ))}
      {Object.keys(e.tags).length > 0 && (
        <>
          <h3>Tags</h3>
          <dl className="tags">
            {Object.entries(e.tags).map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
              </div>
            ))}
          </dl>
        </>
      )}
    </div>
  );
}
