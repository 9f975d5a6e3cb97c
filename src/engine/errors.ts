import { SlipwayError, type ErrorCode } from '../shared/errors.js';

/** A deployment could not be created, or a step failed; the message says which and why. */
export class EngineError extends SlipwayError {
  override readonly name = 'EngineError';
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(code, message, details, options);
  }
}
