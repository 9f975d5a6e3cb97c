import { CliError } from './errors.js';

/** Everything piped into stdin. */
async function readPiped(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

/** One line typed at a terminal, not echoed. */
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
 * A user's password: typed twice at a prompt without echo, or piped into stdin (one trailing
 * newline dropped). Never an argument: the process list shows arguments to every user.
 */
export async function readPassword(user: string, stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (!stdin.isTTY) {
    const piped = (await readPiped(stdin)).replace(/\r?\n$/, '');
    if (piped === '') throw new CliError('invalid_input', `no password for ${user}: pipe it into stdin (e.g. \`slipway users create ${user} --grant viewer:'*' < password.txt\`) or run it at a terminal`);
    return piped;
  }
  const first = await readHidden(stdin, `password for ${user} (at least 12 characters, not shown): `);
  const again = await readHidden(stdin, 'again: ');
  if (first !== again) throw new CliError('invalid_input', 'the two passwords differ; nothing was changed');
  return first;
}
