import { readFile } from 'node:fs/promises';
import { CliError } from './errors.js';

/** Read everything piped into stdin. */
async function readPiped(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

/** One line typed at a terminal, not echoed (the value must not end up on screen or in scrollback). */
function readHidden(stdin: NodeJS.ReadStream, prompt: string): Promise<string> {
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = '';
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (text: string) => {
      for (const ch of text) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new CliError('invalid_input', 'cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/**
 * A secret's value for `slipway secrets set`: from `--from-file` exactly as stored in the file,
 * otherwise from stdin (one trailing newline dropped, as `echo` adds it), or typed at a prompt
 * without echo. Never from an argument: the process list shows arguments to every user.
 */
export async function readSecretValue(name: string, fromFile: string | undefined, stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  let value: string;
  if (fromFile) {
    value = await readFile(fromFile, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new CliError(e.code === 'ENOENT' ? 'not_found' : 'invalid_input', `cannot read --from-file ${fromFile}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
    });
  } else if (stdin.isTTY) {
    value = await readHidden(stdin, `value of ${name} (not shown; Enter to finish): `);
  } else {
    value = (await readPiped(stdin)).replace(/\r?\n$/, '');
  }
  if (value === '') throw new CliError('invalid_input', `no value for ${name}: pipe it into stdin (e.g. \`slipway secrets set ${name} --env ENV < file\`) or use --from-file`);
  return value;
}
