import { SlipwayError, type ErrorCode } from '../../shared/errors.js';

/** A failure of the local runtime the user can act on: command not found, cwd missing, bad handle. */
export class RuntimeError extends SlipwayError {
  override readonly name = 'RuntimeError';
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(code, message, details, options);
  }
}
