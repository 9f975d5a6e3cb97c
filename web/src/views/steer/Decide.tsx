import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api } from '../../api/client.js';
import { useSession } from '../../api/session.js';
import { describeError } from '../../ui/ErrorState.js';
import { confirmWithTotp, needsTotp } from './StepUp.js';
import { TotpFields } from './TotpFields.js';

export type Decision = 'approve' | 'reject' | 'promote';
export interface Pending {
  decision: Decision;
  project: string;
  service: string;
  version: string;
  environment: string;
}

/** What the action will do, said before it is done. */
function consequence(p: Pending): string {
  switch (p.decision) {
    case 'approve':
      return (
        `Approve ${p.service} ${p.version} for ${p.environment}. ` +
        'Your approval counts towards the number the environment requires; it is kept in the audit log.'
      );
    case 'reject':
      return (
        `Reject ${p.service} ${p.version} for ${p.environment}: it cannot be promoted there until you approve it ` +
        'after all or a new version comes. The reason is shown to whoever it stops.'
      );
    case 'promote':
      return (
        `Deploy release ${p.version} (every service of ${p.project} that has it) to ${p.environment}, ` +
        `with ${p.environment}'s strategy, approvals and freezes.`
      );
  }
}

const title: Record<Decision, string> = { approve: 'Approve', reject: 'Reject', promote: 'Promote' };

/** The confirmation dialog of approve / reject (with its reason) / promote-release; asks for TOTP when the API does. */
export function Decide({ pending, onClose }: { pending: Pending | null; onClose: () => void }) {
  const { session } = useSession();
  const client = useQueryClient();
  const dialog = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [totp, setTotp] = useState(false);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  useEffect(() => {
    if (!pending) return;
    setError(null);
    setTotp(false);
    setDone(null);
    dialog.current?.showModal();
  }, [pending]);

  const act = async (p: Pending, reason: string) => {
    const project = encodeURIComponent(p.project);
    if (p.decision === 'promote') {
      const r = await api<{ deployments: { id: string }[] }>(
        'POST',
        `/api/v1/projects/${project}/releases/${encodeURIComponent(p.version)}/promote`,
        { environment: p.environment },
      );
      return `Promoting ${p.version} to ${p.environment}: ${r.deployments.length} deployment(s) started.`;
    }
    const r = await api<{ approvals: { waitsFor: string | null; state: string }[] }>(
      'POST',
      `/api/v1/projects/${project}/approvals`,
      {
        service: p.service,
        version: p.version,
        environment: p.environment,
        decision: p.decision,
        ...(reason ? { reason } : {}),
      },
    );
    const s = r.approvals[0];
    return `${p.decision === 'approve' ? 'Approved' : 'Rejected'}: ${s?.waitsFor ?? s?.state ?? 'recorded'}.`;
  };

  const submit = async (form: FormData) => {
    if (!pending) return;
    setBusy(true);
    setError(null);
    try {
      if (totp) {
        await confirmWithTotp(client, session.user, String(form.get('password')), String(form.get('totp')));
        setTotp(false);
      }
      setDone(await act(pending, String(form.get('reason') ?? '').trim()));
      void client.invalidateQueries({ queryKey: ['pipeline'] });
    } catch (e) {
      if (needsTotp(e)) setTotp(true);
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog ref={dialog} aria-labelledby="decide-h" onClose={onClose}>
      {pending && (
        <form
          method="dialog"
          onSubmit={(e) => {
            e.preventDefault();
            if (done) dialog.current?.close();
            else void submit(new FormData(e.currentTarget));
          }}
        >
          <h2 id="decide-h">
            {title[pending.decision]} {pending.decision === 'promote' ? '' : `${pending.service} `}
            {pending.version}
            {pending.decision === 'promote' ? ' to ' : ' for '}
            {pending.environment}?
          </h2>
          <p data-testid="consequence">{consequence(pending)}</p>
          {pending.decision !== 'promote' && !done && (
            <label>
              Reason{pending.decision === 'reject' ? ' (required)' : ' (optional)'}
              <input name="reason" maxLength={500} required={pending.decision === 'reject'} />
            </label>
          )}
          {totp && !done && <TotpFields kind={session.kind} />}
          {error && (
            <p className="error-state" role="alert">
              {error}
            </p>
          )}
          {done && (
            <p className="ok" role="status" data-testid="decided">
              {done}
            </p>
          )}
          <div className="buttons">
            {!done && (
              <button type="button" onClick={() => dialog.current?.close()}>
                Cancel
              </button>
            )}
            <button type="submit" className={pending.decision === 'reject' ? 'danger' : 'primary'} disabled={busy}>
              {done ? 'Close' : busy ? 'Working…' : `Yes, ${pending.decision}`}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
