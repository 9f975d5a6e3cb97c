/**
 * One error type for failures the user can act on. Modules subclass it (ConfigError,
 * StoreError, RuntimeError, ...) so a surface can tell where it came from; each surface maps
 * `code` once: HTTP status + JSON body in api/, message + exit code in cli/.
 * Exceptions that are not SlipwayErrors are bugs.
 */
export type ErrorCode =
  | 'invalid_input' // the caller sent something wrong: 400 / exit 2
  | 'unauthorized' // missing, unknown, expired or revoked credentials: 401 / exit 4
  | 'forbidden' // authenticated but not allowed: 403 / exit 4
  | 'not_found' // 404 / exit 3
  | 'conflict' // state does not allow it now (a deployment is running, port in use): 409 / exit 5
  | 'unavailable' // a dependency is down (coordinator, proxy, database): 503 / exit 6
  | 'failed' // the operation ran and failed (deployment failed or rolled back): exit 1
  | 'internal'; // a bug: 500 / exit 70

export class SlipwayError extends Error {
  override readonly name: string = 'SlipwayError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const httpStatusByCode: Record<ErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
  failed: 422,
  internal: 500,
};

const exitCodeByCode: Record<ErrorCode, number> = {
  failed: 1,
  invalid_input: 2,
  not_found: 3,
  unauthorized: 4,
  forbidden: 4,
  conflict: 5,
  unavailable: 6,
  internal: 70,
};

/** HTTP status for an error code. */
export function httpStatusOf(code: ErrorCode): number {
  return httpStatusByCode[code];
}

/** Process exit code for an error code (documented in the README). */
export function exitCodeOf(code: ErrorCode): number {
  return exitCodeByCode[code];
}

/** Map an HTTP status back to an error code (the CLI reading API errors). */
export function codeOfHttpStatus(status: number): ErrorCode {
  for (const [code, s] of Object.entries(httpStatusByCode)) if (s === status) return code as ErrorCode;
  return status >= 500 ? 'internal' : 'invalid_input';
}

/** Narrow an unknown thrown value. */
export function isSlipwayError(e: unknown): e is SlipwayError {
  return e instanceof SlipwayError;
}

/** The message of anything thrown, for logs and events. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
