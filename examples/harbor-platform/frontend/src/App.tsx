import { type FormEvent, lazy, Suspense, useState } from 'react';
import { type Quote, requestQuote } from './api';

const QuoteResult = lazy(() => import('./QuoteResult'));

const vesselClasses = ['bulk', 'container', 'tanker', 'passenger', 'fishing'];
const routeRisks = ['1 — sheltered coastal', '2 — coastal', '3 — open ocean', '4 — high risk', '5 — war risk / ice'];

/** The quote page: a vessel in, a premium (and who priced it) out. */
export function App() {
  const [quote, setQuote] = useState<Quote | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    const result = await requestQuote({
      vesselName: String(form.get('vesselName') ?? ''),
      tonnage: Number(form.get('tonnage')),
      vesselClass: String(form.get('vesselClass')),
      routeRisk: Number(form.get('routeRisk')),
      ...(__FLAG_STATE__ ? { flagState: String(form.get('flagState') ?? '') } : {}),
    });
    setBusy(false);
    setQuote(result.ok ? result.quote : null);
    setProblems(result.ok ? [] : result.problems);
  }

  return (
    <main>
      <h1>Harbor Mutual</h1>
      <p className="lead">Hull &amp; machinery cover: a premium in seconds.</p>
      <form onSubmit={submit}>
        <label>
          Vessel name
          <input name="vesselName" required maxLength={120} defaultValue="Nordic Star" />
        </label>
        <label>
          Gross tonnage
          <input name="tonnage" type="number" required min={1} max={500000} defaultValue={42000} />
        </label>
        <label>
          Class
          <select name="vesselClass" defaultValue="tanker">
            {vesselClasses.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
        <label>
          Route risk
          <select name="routeRisk" defaultValue="3">
            {routeRisks.map((label, i) => (
              <option key={label} value={i + 1}>
                {label}
              </option>
            ))}
          </select>
        </label>
        {__FLAG_STATE__ && (
          <label>
            Flag state
            <input name="flagState" placeholder="PA" maxLength={2} defaultValue="PA" />
          </label>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Pricing…' : 'Get a quote'}
        </button>
      </form>
      {quote && (
        <Suspense fallback={<p className="meta">Loading…</p>}>
          <QuoteResult quote={quote} />
        </Suspense>
      )}
      {problems.length > 0 && (
        <ul className="problems" role="alert">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <footer>
        page <span data-testid="page-release">{__RELEASE__}</span>
      </footer>
    </main>
  );
}
