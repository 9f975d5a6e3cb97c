import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../api/client.js';
import type { Incident, TimelineEntry } from '../api/observe-types.js';
import { denial, useSession } from '../api/session.js';
import { describeError, ErrorState, Loading } from '../ui/ErrorState.js';
import { duration } from '../ui/format.js';
import { Time } from '../ui/Time.js';

type Verb = 'acknowledge' | 'resolve' | 'note';

/** One incident: what, where, who, and its timeline (deployment steps, verdicts with figures, alerts, notes); live. */
export default function IncidentDetail() {
  const { id = '' } = useParams();
  const q = useQuery({
    queryKey: ['incidents', 'one', id],
    queryFn: () =>
      api<{ incident: Incident; timeline: TimelineEntry[] }>('GET', `/api/v1/incidents/${encodeURIComponent(id)}`),
  });
  if (q.isError) return <ErrorState error={q.error} what={`incident ${id}`} />;
  if (!q.data) return <Loading what={`incident ${id}`} lines={12} />;
  const { incident: i, timeline } = q.data;
  return (
    <section>
      <p>
        <Link to="/incidents">← Incidents</Link>
      </p>
      <h1 data-testid="incident-title">{i.title}</h1>
      <p>
        <span className={`flag ${i.severity}`}>{i.severity}</span>{' '}
        <span className={`flag incident-${i.state}`} data-testid="incident-state">
          {i.state}
        </span>{' '}
        {i.environment === '*' ? 'every environment' : i.environment}
        {i.service ? ` / ${i.service}` : ''} · opened by {i.openedBy} (source: {i.source}) <Time at={i.openedAt} />
      </p>
      <dl className="facts">
        <div>
          <dt>Owner</dt>
          <dd>{i.owner ?? 'nobody yet'}</dd>
        </div>
        <div>
          <dt>Acknowledged</dt>
          <dd>
            {i.acknowledgedAt ? (
              <>
                by {i.acknowledgedBy}, <Time at={i.acknowledgedAt} /> (after {duration(i.timeToAcknowledgeMs ?? 0)})
              </>
            ) : (
              'not yet'
            )}
          </dd>
        </div>
        <div>
          <dt>Resolved</dt>
          <dd>
            {i.resolvedAt ? (
              <>
                by {i.resolvedBy}, <Time at={i.resolvedAt} /> (after {duration(i.timeToResolveMs ?? 0)})
                {i.resolution ? `: ${i.resolution}` : ''}
              </>
            ) : (
              'not yet'
            )}
          </dd>
        </div>
        {i.links.length > 0 && (
          <div>
            <dt>Links</dt>
            <dd>
              {i.links.map((l, n) => (
                <span key={`${l.kind}-${l.ref}`}>
                  {n > 0 ? ', ' : ''}
                  {l.kind === 'deployment' ? (
                    <Link to={`/deployments/${encodeURIComponent(l.ref)}`}>
                      {l.service && l.version
                        ? `deployment of ${l.service} ${l.fromVersion ? `${l.fromVersion} → ` : ''}${l.version}`
                        : `deployment ${l.ref}`}
                    </Link>
                  ) : l.kind === 'issue' ? (
                    <Link to={`/errors/${encodeURIComponent(l.ref)}`}>issue {l.ref}</Link>
                  ) : l.kind === 'release' && l.service && l.version ? (
                    `release ${l.service} ${l.version}`
                  ) : (
                    `${l.kind} ${l.ref}`
                  )}
                </span>
              ))}
            </dd>
          </div>
        )}
      </dl>
      <IncidentActions incident={i} />
      <h2>Timeline</h2>
      <ol className="timeline" data-testid="timeline">
        {timeline.map((e, n) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list; equal entries (recursion, same second) repeat.
          <li key={`${n}-${e.at}-${e.kind}`} data-kind={e.kind}>
            <Time at={e.at} /> <span className={`flag cat-${e.category}`}>{e.category}</span>{' '}
            <span className="entry-text">{e.text}</span>
            {e.by ? <span className="muted"> — {e.by}</span> : null}
            {e.deploymentId && (
              <>
                {' '}
                <Link to={`/deployments/${encodeURIComponent(e.deploymentId)}`}>deployment</Link>
              </>
            )}
            {e.figures.length > 0 && (
              <ul className="figures">
                {e.figures.map((f) => (
                  <li key={f}>{f}</li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}

const verbWords: Record<Verb, string> = { acknowledge: 'Acknowledge', resolve: 'Resolve', note: 'Add a note' };

/** Acknowledge / resolve / note, confirmed in a dialog; disabled with the reason without the deployer role there. */
function IncidentActions({ incident: i }: { incident: Incident }) {
  const { session } = useSession();
  const client = useQueryClient();
  const dialog = useRef<HTMLDialogElement>(null);
  const [verb, setVerb] = useState<Verb | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const denied = denial(session, 'deployer', i.environment);
  const verbs: Verb[] =
    i.state === 'triggered'
      ? ['acknowledge', 'resolve', 'note']
      : i.state === 'acknowledged'
        ? ['resolve', 'note']
        : ['note'];
  const consequence: Record<Verb, string> = {
    acknowledge: `Take "${i.title}" on: you (${session.user}) become its owner.`,
    resolve: `Close "${i.title}" as resolved now: its time to restore ends here.`,
    note: `Add a note to the timeline of "${i.title}" (kept, and shown to everyone who may view ${i.environment}).`,
  };
  const confirm = async (text: string) => {
    if (!verb) return;
    setBusy(true);
    setError(null);
    try {
      const path = `/api/v1/incidents/${encodeURIComponent(i.id)}`;
      if (verb === 'note') await api('POST', `${path}/notes`, { text });
      else if (verb === 'resolve') await api('POST', `${path}/resolve`, text ? { resolution: text } : {});
      else await api('POST', `${path}/acknowledge`, {});
      dialog.current?.close();
      void client.invalidateQueries({ queryKey: ['incidents'] });
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="actions">
      {verbs.map((v) => (
        <button
          key={v}
          type="button"
          disabled={denied !== null}
          aria-describedby={denied ? 'incident-denied' : undefined}
          onClick={() => {
            setVerb(v);
            setError(null);
            dialog.current?.showModal();
          }}
        >
          {verbWords[v]}
        </button>
      ))}
      {denied && (
        <p id="incident-denied" className="denied" data-testid="actions-denied">
          Actions are disabled: {denied}.
        </p>
      )}
      <dialog ref={dialog} aria-labelledby="incident-confirm-h" onClose={() => setVerb(null)}>
        {verb && (
          <form
            method="dialog"
            onSubmit={(e) => {
              e.preventDefault();
              void confirm(String(new FormData(e.currentTarget).get('text') ?? '').trim());
            }}
          >
            <h2 id="incident-confirm-h">{verbWords[verb]}?</h2>
            <p data-testid="consequence">{consequence[verb]}</p>
            {verb !== 'acknowledge' && (
              <label>
                {verb === 'note' ? 'Note' : 'Resolution (optional)'}
                <textarea name="text" maxLength={verb === 'note' ? 2000 : 1000} required={verb === 'note'} />
              </label>
            )}
            {error && (
              <p className="error-state" role="alert">
                {error}
              </p>
            )}
            <div className="buttons">
              <button type="button" onClick={() => dialog.current?.close()}>
                Cancel
              </button>
              <button type="submit" className="primary" disabled={busy}>
                {busy ? 'Working…' : `Yes, ${verbWords[verb].toLowerCase()}`}
              </button>
            </div>
          </form>
        )}
      </dialog>
    </div>
  );
}
