import { SlipwayError, type ErrorCode } from '../shared/errors.js';

/** A migration problem the user can act on: a bad file, drift, a held lock, a blocked contract. */
export class MigrationError extends SlipwayError {
  override readonly name = 'MigrationError';
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(code, message, details, options);
  }
}
