import { SlipwayError } from '../shared/errors.js';

/**
 * A build the bundle budget cannot measure: a manifest that is missing, not JSON or not in
 * Vite's shape (the message names the file and the JSON key path), or a file it names that is
 * not in the build. Always `invalid_input`: the build is wrong, not the budget.
 */
export class BudgetError extends SlipwayError {
  override readonly name = 'BudgetError';
  constructor(message: string, details?: Record<string, unknown>) {
    super('invalid_input', message, details);
  }
}
