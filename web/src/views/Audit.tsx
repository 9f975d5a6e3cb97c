import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { ApiError } from '../api/client.js';
import { api } from '../api/client.js';
import { useSession } from '../api/session.js';
import { describeError, ErrorState, Loading } from '../ui/ErrorState.js';
import { Time } from '../ui/Time.js';

interface Entry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  source: string;
  outcome: string;
  status: number;
}
interface Verify {
  ok: boolean;
  rows: number;
  firstBad: { seq: number; reason: string; detail: string } | null;
  head: { seq: number; hash: string } | null;
}

const periods: Record<string, number> = { '24h': 1, '7d': 7, '30d': 30, '365d': 365 };
const shownRows = 500;

/** GET /api/v1/audit answers JSON lines (an export format), read whole here and filtered in the page. */
async function entries(since: string): Promise<Entry[]> {
  const res = await fetch(`/api/v1/audit?since=${encodeURIComponent(since)}`, { credentials: 'same-origin' });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    throw new ApiError(res.status, body.error?.code ?? 'failed', body.error?.message ?? `HTTP ${res.status}`);
  }
  const text = await res.text();
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Entry);
}

/** The audit log (admins): filters kept in the URL, the hash chain's verification, and an export. */
function chainIntact(r: Verify): string {
  const head = r.head ? `, head #${r.head.seq} ${r.head.hash.slice(0, 16)}…` : '';
  return `Chain intact: ${r.rows} rows checked${head}.`;
}

function chainBroken(r: Verify): string {
  return `Chain broken at #${r.firstBad?.seq} (${r.firstBad?.reason}): ${r.firstBad?.detail}`;
}

export default function Audit() {
  const { session } = useSession();
  const [params, setParams] = useSearchParams();
  const f = {
    actor: params.get('actor') ?? '',
    action: params.get('action') ?? '',
    outcome: params.get('outcome') ?? '',
    period: params.get('period') ?? '7d',
  };
  const days = periods[f.period] ?? 7;
  const since = new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
  const isAdmin = session.grants.some((g) => g.role === 'admin');
  const list = useQuery({ queryKey: ['audit', since], queryFn: () => entries(since), enabled: isAdmin });
  const [verify, setVerify] = useState<{ result?: Verify; error?: string; busy?: boolean }>({});
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  if (!isAdmin)
    return (
      <section>
        <h1>Audit log</h1>
        <p className="denied" data-testid="denied">
          The audit log is for admins: {session.user} has{' '}
          {session.grants
            .map((g) => `${g.role} on ${g.environments === '*' ? '*' : g.environments.join(', ')}`)
            .join('; ')}
          .
        </p>
      </section>
    );
  const has = (field: string, want: string) => !want || field.toLowerCase().includes(want.toLowerCase());
  const rows = (list.data ?? [])
    .filter((e) => has(e.actor, f.actor) && has(e.action, f.action) && (!f.outcome || e.outcome === f.outcome))
    .reverse();
  const runVerify = async () => {
    setVerify({ busy: true });
    try {
      setVerify({ result: await api<Verify>('GET', '/api/v1/audit/verify') });
    } catch (e) {
      setVerify({ error: describeError(e) });
    }
  };
  return (
    <section>
      <h1>Audit log</h1>
      <div className="actions">
        <button type="button" onClick={() => void runVerify()} disabled={verify.busy}>
          {verify.busy ? 'Verifying…' : 'Verify the hash chain'}
        </button>
        <a className="button" href={`/api/v1/audit?since=${since}`} download={`slipway-audit-since-${since}.jsonl`}>
          Export (JSON lines)
        </a>
        {verify.result && (
          <p className={verify.result.ok ? 'ok' : 'warn'} role="status" data-testid="verify">
            {verify.result.ok ? chainIntact(verify.result) : chainBroken(verify.result)}
          </p>
        )}
        {verify.error && (
          <p className="error-state" role="alert">
            {verify.error}
          </p>
        )}
      </div>
      <form className="filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Who
          <input value={f.actor} onChange={(e) => set('actor', e.target.value.trim())} />
        </label>
        <label>
          Action
          <input value={f.action} onChange={(e) => set('action', e.target.value.trim())} />
        </label>
        <label>
          Outcome
          <select value={f.outcome} onChange={(e) => set('outcome', e.target.value)}>
            <option value="">any</option>
            <option value="allowed">allowed</option>
            <option value="denied">denied</option>
          </select>
        </label>
        <label>
          Period
          <select value={f.period} onChange={(e) => set('period', e.target.value)}>
            {Object.keys(periods).map((p) => (
              <option key={p} value={p}>
                last {p}
              </option>
            ))}
          </select>
        </label>
      </form>
      {list.isError ? (
        <ErrorState error={list.error} what="the audit log" />
      ) : !list.data ? (
        <Loading what="the audit log" lines={10} />
      ) : (
        <>
          <p className="muted" data-testid="audit-count">
            {rows.length} of {list.data.length} entries since {since}
            {rows.length > shownRows ? ` (the newest ${shownRows} shown; narrow the filters or export)` : ''}
          </p>
          <div className="scroll-x">
            <table className="audit">
              <caption className="sr-only">Audit entries, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">Action</th>
                  <th scope="col">Target</th>
                  <th scope="col">Outcome</th>
                </tr>
              </thead>
              <tbody>
                {rows.slice(0, shownRows).map((e) => (
                  <tr key={e.seq}>
                    <td>{e.seq}</td>
                    <td>
                      <Time at={e.at} />
                    </td>
                    <td className="wrap">{e.actor}</td>
                    <td>
                      <code>{e.action}</code>
                    </td>
                    <td className="wrap">{e.target}</td>
                    <td className={e.outcome === 'allowed' ? 'ok' : 'warn'}>
                      {e.outcome} ({e.status})
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
