import { SlipwayError, type ErrorCode } from '../shared/errors.js';

/** Bad input to the judge or its statistics (a setting out of range, a count below zero); the message names which. */
export class JudgeError extends SlipwayError {
  override readonly name = 'JudgeError';
  constructor(message: string, details?: Record<string, unknown>, code: ErrorCode = 'invalid_input') {
    super(code, message, details);
  }
}
