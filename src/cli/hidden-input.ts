import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { CliError } from './errors.js';

/* Reading values people must not pass as arguments (the process list shows those): piped stdin, or a prompt
   without echo. */

/** Read everything piped into stdin. */
export async function readPiped(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * One line typed at a terminal, not echoed (the value must not end up on screen or in scrollback).
 * Node's readline does the line editing (arrows, backspace, Ctrl-U...), so editing keys edit the
 * value instead of ending up in it; its output goes nowhere. Ctrl-C, and Ctrl-D on an empty
 * line, cancel.
 */
export function readHidden(stdin: NodeJS.ReadStream, prompt: string): Promise<string> {
  const nowhere = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input: stdin, output: nowhere, terminal: true, historySize: 0 });
  // The terminal is in raw mode (no echo) from here on: only now may the prompt invite typing.
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (outcome: { value: string } | { error: CliError }) => {
      if (settled) return;
      settled = true;
      rl.close();
      process.stderr.write('\n');
      if ('value' in outcome) resolve(outcome.value);
      else reject(outcome.error);
    };
    rl.once('line', (value) => finish({ value }));
    rl.once('SIGINT', () => finish({ error: new CliError('invalid_input', 'cancelled') }));
    rl.once('close', () => finish({ error: new CliError('invalid_input', 'cancelled (end of input)') }));
  });
}
