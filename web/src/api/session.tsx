import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useRef } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { ApiError, api, setCsrfToken, setUnauthorizedHandler } from './client.js';
import type { Role, Session } from './types.js';
import { ErrorState } from '../ui/ErrorState.js';

interface SessionContextValue {
  session: Session;
  logout: () => Promise<void>;
}
const SessionContext = createContext<SessionContextValue | null>(null);

/** The logged-in session; only inside <RequireSession>. */
export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside <RequireSession>');
  return value;
}

/** The session query: GET /api/v1/auth/session (401 = nobody is logged in). */
export function useSessionQuery() {
  return useQuery({
    queryKey: ['session'],
    queryFn: async () => {
      try {
        const s = await api<Session>('GET', '/api/v1/auth/session');
        setCsrfToken(s.csrfToken);
        return s;
      } catch (e) {
        if (e instanceof ApiError && (e.status === 401 || e.status === 409)) return null;
        throw e;
      }
    },
    staleTime: Number.POSITIVE_INFINITY,
    retry: (n, e) => n < 2 && !(e instanceof ApiError && e.status > 0),
  });
}

/** Where the login page sends the user back to. */
export const loginPath = (next: string, expired = false) =>
  `/login?next=${encodeURIComponent(next)}${expired ? '&expired=1' : ''}`;

/**
 * Pages behind the login: without a session, the login page (which comes back here); when any
 * call answers 401 later (the session expired), the same, saying so.
 */
export function RequireSession({ children, fallback }: { children: ReactNode; fallback: ReactNode }) {
  const query = useSessionQuery();
  const client = useQueryClient();
  const navigate = useNavigate();
  const location = useLocation();
  const here = location.pathname + location.search;
  // A session that was there and is gone has expired (or was ended elsewhere): the login page says so.
  const hadSession = useRef(false);
  const loggingOut = useRef(false);
  if (query.data) hadSession.current = true;
  useEffect(() => {
    setUnauthorizedHandler(() => {
      setCsrfToken(undefined);
      client.setQueryData(['session'], null);
    });
  }, [client]);
  useEffect(() => {
    if (query.data !== null) return;
    if (loggingOut.current) navigate('/login', { replace: true });
    else navigate(loginPath(here, hadSession.current), { replace: true });
  }, [query.data, here, navigate]);
  const logout = useCallback(async () => {
    loggingOut.current = true;
    await api('POST', '/api/v1/auth/logout').catch(() => undefined);
    setCsrfToken(undefined);
    client.setQueryData(['session'], null);
  }, [client]);
  if (query.isError) return <ErrorState error={query.error} what="the login session" />;
  if (!query.data) return <>{fallback}</>;
  return <SessionContext.Provider value={{ session: query.data, logout }}>{children}</SessionContext.Provider>;
}

const roleWords: Record<Role, string> = {
  viewer: 'viewer',
  deployer: 'deployer',
  approver: 'approver',
  admin: 'admin',
};

/**
 * May the session act as `role` on `environment`? The same rule as the coordinator's
 * (src/access/authorize.ts): admin does everything, a role is not included in another, viewer is
 * everyone's. Returns the reason when it may not, so a disabled button can say it.
 */
export function denial(session: Session, role: Role, environment: string): string | null {
  const ok = session.grants.some(
    (g) =>
      (g.role === 'admin' || g.role === role || role === 'viewer') &&
      (g.environments === '*' || g.environments.includes(environment)),
  );
  if (ok) return null;
  const has = session.grants.map((g) => `${g.role} on ${g.environments === '*' ? '*' : g.environments.join(', ')}`);
  return `needs the ${roleWords[role]} role on ${environment}; ${session.user} has ${has.join('; ') || 'no grants'}`;
}
