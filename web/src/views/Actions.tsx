import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../api/client.js';
import { denial, useSession } from '../api/session.js';
import type { Deployment } from '../api/types.js';
import { describeError } from '../ui/ErrorState.js';

type Verb = 'promote' | 'pause' | 'resume' | 'abort' | 'rollback';

/** What each action will do, said before it is done. */
function consequence(verb: Verb, d: Deployment): string {
  const stable = d.from?.version ?? 'nothing (first deployment)';
  const rest = d.steps.length - d.step - 1;
  switch (verb) {
    case 'promote':
      return (
        `Skip the ${rest} remaining step${rest === 1 ? '' : 's'} and make ${d.to.version} the stable release of ` +
        `${d.service} in ${d.environment}: it takes 100 % of traffic; ${stable}'s instances are drained and stopped.`
      );
    case 'pause':
      return (
        `Hold ${d.service} ${d.to.version} at step ${d.step + 1}; ` +
        'traffic stays split as it is now until you resume or promote.'
      );
    case 'resume':
      return `Continue the plan of ${d.service} ${d.to.version} from step ${d.step + 1} of ${d.steps.length}.`;
    case 'abort':
      return (
        `Stop this deployment and roll back: ${d.service} in ${d.environment} returns to ${stable} with 100 % of ` +
        `traffic; ${d.to.version}'s instances are drained and stopped.`
      );
    case 'rollback':
      return (
        `Deploy ${stable} of ${d.service} in ${d.environment} again, ` +
        `replacing ${d.to.version}, as a new deployment.`
      );
  }
}

/** The verbs that make sense for the deployment's state. */
function verbsFor(d: Deployment): Verb[] {
  if (d.state === 'running') return d.paused ? ['resume', 'promote', 'abort'] : ['pause', 'promote', 'abort'];
  if (d.state === 'queued') return ['abort'];
  if (d.state === 'succeeded' && d.from && d.kind === 'deploy') return ['rollback'];
  return [];
}

/**
 * Promote / pause / resume / abort / roll back, each confirmed in a dialog; disabled with the reason when not
 * allowed.
 */
export function Actions({ d }: { d: Deployment }) {
  const { session } = useSession();
  const client = useQueryClient();
  const navigate = useNavigate();
  const dialog = useRef<HTMLDialogElement>(null);
  const [verb, setVerb] = useState<Verb | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const verbs = verbsFor(d);
  if (verbs.length === 0) return null;
  const denied = denial(session, 'deployer', d.environment);

  const open = (v: Verb) => {
    setVerb(v);
    setError(null);
    dialog.current?.showModal();
  };
  const confirm = async (reason: string) => {
    if (!verb) return;
    setBusy(true);
    setError(null);
    try {
      if (verb === 'rollback') {
        const { deployment } = await api<{ deployment: Deployment }>(
          'POST',
          `/api/v1/projects/${encodeURIComponent(d.project)}/rollbacks`,
          { service: d.service, environment: d.environment },
        );
        dialog.current?.close();
        navigate(`/deployments/${deployment.id}`);
      } else {
        const body = verb === 'abort' && reason ? { reason } : verb === 'abort' ? {} : undefined;
        await api('POST', `/api/v1/deployments/${encodeURIComponent(d.id)}/${verb}`, body);
        dialog.current?.close();
      }
      void client.invalidateQueries({ queryKey: ['deployment', d.id] });
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
          className={v === 'abort' || v === 'rollback' ? 'danger' : undefined}
          disabled={denied !== null}
          aria-describedby={denied ? 'actions-denied' : undefined}
          onClick={() => open(v)}
        >
          {v === 'rollback' ? 'Roll back' : v[0]!.toUpperCase() + v.slice(1)}
        </button>
      ))}
      {denied && (
        <p id="actions-denied" className="denied" data-testid="actions-denied">
          Actions are disabled: {denied}.
        </p>
      )}
      <dialog ref={dialog} aria-labelledby="confirm-h" onClose={() => setVerb(null)}>
        {verb && (
          <form
            method="dialog"
            onSubmit={(e) => {
              e.preventDefault();
              void confirm(String(new FormData(e.currentTarget).get('reason') ?? ''));
            }}
          >
            <h2 id="confirm-h">{verb === 'rollback' ? 'Roll back' : verb[0]!.toUpperCase() + verb.slice(1)}?</h2>
            <p data-testid="consequence">{consequence(verb, d)}</p>
            {verb === 'abort' && (
              <label>
                Reason (kept in the deployment and the audit log)
                <input name="reason" maxLength={500} />
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
                {busy ? 'Working…' : `Yes, ${verb === 'rollback' ? 'roll back' : verb}`}
              </button>
            </div>
          </form>
        )}
      </dialog>
    </div>
  );
}
