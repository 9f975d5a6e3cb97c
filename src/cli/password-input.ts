import { CliError } from './errors.js';
import { readHidden, readPiped } from './hidden-input.js';

/**
 * A user's password: typed twice at a prompt without echo, or piped into stdin (one trailing
 * newline dropped). Never an argument: the process list shows arguments to every user.
 */
export async function readPassword(user: string, stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (!stdin.isTTY) {
    const piped = (await readPiped(stdin)).replace(/\r?\n$/, '');
    if (piped === '')
      throw new CliError(
        'invalid_input',
        `no password for ${user}: pipe it into stdin (e.g. \`slipway users create ${user} --grant viewer:'*' < ` +
          `password.txt\`) or run it at a terminal`,
      );
    return piped;
  }
  const first = await readHidden(stdin, `password for ${user} (at least 12 characters, not shown): `);
  const again = await readHidden(stdin, 'again: ');
  if (first !== again) throw new CliError('invalid_input', 'the two passwords differ; nothing was changed');
  return first;
}
