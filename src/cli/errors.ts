import { SlipwayError, type ErrorCode } from '../shared/errors.js';

/** A CLI-level failure: bad flags, coordinator unreachable, a deployment that failed. */
export class CliError extends SlipwayError {
  override readonly name = 'CliError';
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(code, message, details);
  }
}
