import { CliError } from './errors.js';

/**
 * `-n, --limit N` checked before the request: a whole number from 1 to the API's maximum. Read loosely
 * (`Number(x) || default`), `--limit 0` and `--limit abc` listed the default number of rows as if asked.
 */
export function limitOption(text: string, max: number): number {
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 1 && n <= max))
    throw new CliError('invalid_input', `--limit ${text}: expected a whole number from 1 to ${max}`);
  return n;
}
