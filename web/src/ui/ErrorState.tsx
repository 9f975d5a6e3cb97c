import { ApiError } from '../api/client.js';

/** What went wrong, in words: the coordinator down, a 403 naming the missing role, or the API's own message. */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  if (error.unreachable) return error.message;
  if (error.status === 403) {
    const d = error.details;
    const role = typeof d.role === 'string' ? d.role : undefined;
    const where = typeof d.environment === 'string' ? d.environment : '*';
    if (d.mfa === 'required') return `${error.message}`;
    return role ? `Not allowed: the ${role} role on ${where} is needed. ${error.message}` : error.message;
  }
  return error.message;
}

/** An error in place of what could not be loaded; role="alert" so a screen reader says it. */
export function ErrorState({ error, what }: { error: unknown; what: string }) {
  return (
    <div className="error-state" role="alert">
      <strong>Could not load {what}.</strong> <span>{describeError(error)}</span>
    </div>
  );
}

/** A placeholder of the size of what is loading, so nothing jumps when it arrives. */
export function Loading({ what, lines = 3 }: { what: string; lines?: number }) {
  return (
    <div className="loading" aria-busy="true" style={{ minHeight: `${lines * 1.6}rem` }}>
      Loading {what}…
    </div>
  );
}
