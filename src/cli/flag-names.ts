import { SlipwayError } from '../shared/errors.js';
import { CliError } from './errors.js';

/**
 * An API refusal in the words of the command line: where the API names one of its body fields (`at: … is in the
 * past`, `body.notifyBefore: Too big`), the CLI names the flag the user typed (`--at: … is in the past`). `flags`
 * maps a field to the flag as typed, e.g. `{ notifyBefore: '--notify-before 1x' }`; other errors pass unchanged.
 * @example throw namingFlags(e, { at: '--at' })
 */
export function namingFlags(e: unknown, flags: Record<string, string>): unknown {
  if (!(e instanceof SlipwayError)) return e;
  const field = /^(?:body\.)?([\w.]+):/.exec(e.message);
  const flag = field && Object.hasOwn(flags, field[1]!) ? flags[field[1]!] : undefined;
  if (!flag) return e;
  return new CliError(e.code, `${flag}:${e.message.slice(field![0].length)}`, e.details);
}
