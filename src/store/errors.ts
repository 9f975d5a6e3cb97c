import { SlipwayError, type ErrorCode } from '../shared/errors.js';

/**
 * A store failure the user can act on: the database is unreachable, the data directory is
 * unwritable or in use, the schema is newer than this build. Plain SQL errors (constraint
 * violations, syntax) are not wrapped: callers inspect their SQLSTATE (see sql-errors.ts).
 */
export class StoreError extends SlipwayError {
  override readonly name: string = 'StoreError';
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(code, message, details, options);
  }
}
