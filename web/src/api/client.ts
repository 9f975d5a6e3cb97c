/** The coordinator's API as the page calls it: same origin, the session cookie, the CSRF token on changes. */

/** An answer that was not a success, with the API's own message (or what kept the request from arriving). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** The coordinator could not be reached at all (down, restarting, network). */
  get unreachable(): boolean {
    return this.status === 0;
  }
}

let csrfToken: string | undefined;
let onUnauthorized: (() => void) | undefined;

/** Remember the session's CSRF token (from login or GET /auth/session); never stored beyond this page's memory. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** What to do when a call answers 401 (the session expired): the session layer sends the user to the login page. */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

/** Call the API; resolves to the JSON body, rejects with an ApiError that says what went wrong. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'unreachable', 'the coordinator does not answer (stopped or restarting?); retrying');
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = undefined;
  }
  if (res.ok) return json as T;
  const error = (json as { error?: { code?: string; message?: string; details?: Record<string, unknown> } })?.error;
  if (res.status === 401 && !path.startsWith('/api/v1/auth/login')) onUnauthorized?.();
  if (res.status >= 502 && !error)
    throw new ApiError(0, 'unreachable', `the coordinator does not answer (HTTP ${res.status}); retrying`);
  throw new ApiError(
    res.status,
    error?.code ?? 'failed',
    error?.message ?? `HTTP ${res.status} from ${method} ${path}`,
    error?.details ?? {},
  );
}
