import type { QueryClient } from '@tanstack/react-query';
import { ApiError, api, setCsrfToken } from '../../api/client.js';
import type { Session } from '../../api/types.js';

/** Did the API refuse because this session was not confirmed with TOTP (src/access/mfa.ts)? */
export const needsTotp = (e: unknown): boolean =>
  e instanceof ApiError && e.status === 403 && e.details.mfa === 'required';

/**
 * The API asks for TOTP at login, not per action: the session that lacks it is replaced by one
 * logged in with the password and a code, the moment an action needs it; then the action is retried.
 */
export async function confirmWithTotp(client: QueryClient, user: string, password: string, totp: string) {
  const s = await api<Session>('POST', '/api/v1/auth/login', { name: user, password, totp });
  setCsrfToken(s.csrfToken);
  client.setQueryData(['session'], s);
  return s;
}
