import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { api, setCsrfToken } from '../api/client.js';
import type { Session } from '../api/types.js';
import { describeError } from '../ui/ErrorState.js';

/** Only paths of this dashboard: a crafted ?next= must not send the user to another site. */
function safeNext(next: string | null): string {
  return next?.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/';
}

/** Log in as a local user: name, password, and the TOTP code (needed for approver/admin actions on production). */
export function Login() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const expired = params.get('expired') === '1';
  // The single sign-on button shows only when a provider is configured (a public answer naming nothing).
  const sso = useQuery({
    queryKey: ['sso'],
    queryFn: () => api<{ configured: boolean }>('GET', '/api/v1/auth/oidc'),
    staleTime: Number.POSITIVE_INFINITY,
  });

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const totp = String(form.get('totp') ?? '').trim();
    setBusy(true);
    setError(null);
    try {
      const session = await api<Session>('POST', '/api/v1/auth/login', {
        name: String(form.get('name') ?? ''),
        password: String(form.get('password') ?? ''),
        ...(totp ? { totp } : {}),
      });
      setCsrfToken(session.csrfToken);
      client.setQueryData(['session'], session);
      navigate(safeNext(params.get('next')), { replace: true });
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" className="login">
      <h1>Log in to Slipway</h1>
      {expired && (
        <p className="notice" role="status">
          Your session ended (30 minutes without activity, or 12 hours after login). Log in again to go back to where
          you were.
        </p>
      )}
      <form onSubmit={(e) => void submit(e)} aria-describedby={error ? 'login-error' : undefined}>
        <label>
          User name
          <input name="name" autoComplete="username" required maxLength={200} />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required maxLength={1024} />
        </label>
        <label>
          TOTP code <span className="hint">(6 digits; needed to approve or administer production)</span>
          <input name="totp" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} />
        </label>
        {error && (
          <p id="login-error" className="error-state" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
      {sso.data?.configured && (
        <p className="sso">
          <a className="button" href="/api/v1/auth/oidc/start" data-testid="sso">
            Log in with single sign-on
          </a>
        </p>
      )}
    </main>
  );
}
