import { readFile } from 'node:fs/promises';
import { CliError } from './errors.js';
import { readHidden, readPiped } from './hidden-input.js';

/**
 * A secret's value for `slipway secrets set`: from `--from-file` exactly as stored in the file,
 * otherwise from stdin (one trailing newline dropped, as `echo` adds it), or typed at a prompt
 * without echo. Never from an argument: the process list shows arguments to every user.
 */
export async function readSecretValue(
  name: string,
  fromFile: string | undefined,
  stdin: NodeJS.ReadStream = process.stdin,
): Promise<string> {
  let value: string;
  if (fromFile) {
    value = await readFile(fromFile, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new CliError(
        e.code === 'ENOENT' ? 'not_found' : 'invalid_input',
        `cannot read --from-file ${fromFile}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`,
      );
    });
  } else if (stdin.isTTY) {
    value = await readHidden(stdin, `value of ${name} (not shown; Enter to finish): `);
  } else {
    value = (await readPiped(stdin)).replace(/\r?\n$/, '');
  }
  if (value === '')
    throw new CliError(
      'invalid_input',
      `no value for ${name}: pipe it into stdin (e.g. \`slipway secrets set ${name} --env ENV < file\`) or use ` +
        `--from-file`,
    );
  return value;
}
