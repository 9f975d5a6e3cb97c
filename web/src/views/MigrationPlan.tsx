import { useState } from 'react';
import { api } from '../api/client.js';
import { projectPath } from '../api/projects.js';
import { denial, useSession } from '../api/session.js';
import { describeError } from '../ui/ErrorState.js';
import { Time } from '../ui/Time.js';

/** POST /api/v1/projects/:project/migrations/plan (src/api/routes/migrations.ts): the fields shown. */
interface Plan {
  environment: string;
  release: string | null;
  appliedThrough: number;
  pending: {
    version: number;
    id: string;
    phase: 'expand' | 'contract' | null;
    after: string | null;
    runs: 'now' | 'waits';
    file: string;
  }[];
  problems: string[];
  dryRun: {
    ok: boolean;
    totalMs: number;
    notes: string[];
    steps: {
      migration: string;
      direction: 'up' | 'down' | 'reup';
      ok: boolean;
      durationMs: number;
      problem: string | null;
      details: string[];
    }[];
  } | null;
  error: string | null;
  plannedAt: string;
}

const directionWords = { up: 'up', down: 'down', reup: 'up again' } as const;

/**
 * The plan of one environment's pending migrations and the shadow dry run, on request: a deployer runs it (it starts a
 * throwaway database in the coordinator); others see the button disabled with the reason.
 */
export function MigrationPlan({ project, environment }: { project: string; environment: string }) {
  const { session } = useSession();
  const denied = denial(session, 'deployer', environment);
  const [plan, setPlan] = useState<Plan | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = `plan-${environment}`;

  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      setPlan(await api<Plan>('POST', projectPath(project, '/migrations/plan'), { environment }));
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="migration-plan" aria-labelledby={id} data-testid={`plan-${environment}`}>
      <h3 id={id}>Plan and dry run</h3>
      <p className="muted">
        The pending migrations in the order they run, then up → down → up on a throwaway PostgreSQL (PGlite). Nothing
        runs against {environment}'s database.
      </p>
      <div className="top">
        <button
          type="button"
          disabled={denied !== null || busy}
          aria-describedby={denied ? `${id}-denied` : undefined}
          onClick={() => void run()}
        >
          {busy ? 'Dry-running…' : plan ? 'Dry-run again' : 'Plan and dry-run'}
        </button>
        {denied && (
          <p id={`${id}-denied`} className="denied" data-testid="plan-denied">
            Disabled: {denied}.
          </p>
        )}
      </div>
      {error && (
        <p className="error-state" role="alert">
          {error}
        </p>
      )}
      {plan && <PlanResult plan={plan} />}
    </section>
  );
}

function PlanResult({ plan }: { plan: Plan }) {
  if (plan.error)
    return (
      <p className="error-state" role="alert" data-testid="plan-error">
        {plan.error}
      </p>
    );
  return (
    <div aria-live="polite">
      <p>
        Release <strong>{plan.release}</strong>, applied through version {plan.appliedThrough}:{' '}
        {plan.pending.length === 0 ? 'nothing pending.' : `${plan.pending.length} pending, in this order:`}{' '}
        <span className="muted">
          Planned <Time at={plan.plannedAt} />
        </span>
      </p>
      {plan.pending.length > 0 && (
        <ol className="pending-plan">
          {plan.pending.map((m) => (
            <li key={m.version} data-planned={m.id} data-runs={m.runs}>
              <code>{m.id}</code> — {m.phase ?? 'no phase'}
              {m.after ? ` (for releases from ${m.after})` : ''}:{' '}
              <span className={m.runs === 'waits' ? 'warn' : undefined}>
                {m.runs === 'now'
                  ? "runs in the release's expand step"
                  : 'waits until no live release needs the old schema'}
              </span>
            </li>
          ))}
        </ol>
      )}
      {plan.dryRun && (
        <>
          <p data-testid="dry-run-verdict" className={plan.dryRun.ok ? 'ok' : 'warn'}>
            <strong>Shadow dry run: {plan.dryRun.ok ? 'every step passed' : 'a step failed'}</strong> (
            {plan.dryRun.steps.length} step{plan.dryRun.steps.length === 1 ? '' : 's'}, {plan.dryRun.totalMs} ms)
          </p>
          <ul className="dry-run-steps">
            {plan.dryRun.steps.map((s) => (
              <li key={`${s.migration}:${s.direction}`} data-step={`${s.migration}:${s.direction}`} data-ok={s.ok}>
                <span className={s.ok ? 'ok' : 'warn'}>{s.ok ? '✓' : '✗'}</span> {directionWords[s.direction]}{' '}
                <code>{s.migration}</code> <span className="muted">({s.durationMs} ms)</span>
                {s.details.length > 0 && <span className="recipe details">{s.details.join('\n')}</span>}
              </li>
            ))}
          </ul>
          {plan.dryRun.notes.map((n) => (
            <p key={n} className="muted">
              {n}
            </p>
          ))}
        </>
      )}
      {plan.problems.length > 0 && (
        <>
          <h4>What would stop the release's expand step</h4>
          <ul className="findings" data-testid="plan-problems">
            {plan.problems.map((p) => (
              <li key={p} className="recipe">
                {p}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
