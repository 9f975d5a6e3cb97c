import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { entryCommand } from './support/entry.js';

/**
 * readHidden at a real terminal: the fixture runs under `script` (util-linux), which gives it a
 * pseudo-terminal and copies what the terminal shows to our stdout, and forwards our keystrokes.
 */
interface Session {
  /** Everything the terminal showed so far. */
  screen(): string;
  /** Wait until the terminal shows `text`. */
  shows(text: string): Promise<void>;
  type(keys: string): void;
  /** What readHidden returned (or threw), once the fixture has exited. */
  result(): Promise<{ values?: string[]; error?: string }>;
}

describe('hidden input at a terminal', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  async function session(count = 1): Promise<Session> {
    const dir = await mkdtemp(join(tmpdir(), 'slipway-hidden-'));
    const out = join(dir, 'result.json');
    const [node, args] = entryCommand('test/fixtures/read-hidden.ts', [out, String(count)]);
    // script takes one command line; every part here is ours and has no spaces or quotes.
    const child = spawn('script', ['-qfec', [node, ...args].join(' '), '/dev/null'], { stdio: 'pipe' });
    let screen = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (screen += c));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      await rm(dir, { recursive: true, force: true });
    });
    const until = async (what: string, done: () => boolean) => {
      const deadline = Date.now() + 20_000;
      while (!done()) {
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${what}; the terminal shows ${JSON.stringify(screen)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    return {
      screen: () => screen,
      shows: (text) => until(`the terminal to show ${JSON.stringify(text)}`, () => screen.includes(text)),
      type: (keys) => child.stdin.write(keys),
      async result() {
        await until('the fixture to exit', () => child.exitCode !== null);
        return existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : { error: `no result; screen: ${screen}` };
      },
    };
  }

  it('reads a line without echoing it; editing keys edit it instead of ending up in it', async () => {
    const s = await session();
    await s.shows('secret 1:');
    // Arrows move the cursor, Ctrl-U kills the line, backspace deletes: none of them is a character.
    s.type('wrong\x15hunter22\x7f\x1b[D\x1b[C\x1b[A\r');
    expect(await s.result()).toEqual({ values: ['hunter2'] });
    expect(s.screen()).not.toMatch(/hun|wrong|\*/);
  });

  it('reads one value per prompt', async () => {
    const s = await session(2);
    await s.shows('secret 1:');
    s.type('first value\r');
    await s.shows('secret 2:');
    s.type('second value\r');
    expect(await s.result()).toEqual({ values: ['first value', 'second value'] });
  });

  it('Ctrl-C cancels', async () => {
    const s = await session();
    await s.shows('secret 1:');
    s.type('abc\x03');
    expect(await s.result()).toEqual({ error: 'cancelled' });
  });

  it('Ctrl-D on an empty line cancels instead of waiting forever', async () => {
    const s = await session();
    await s.shows('secret 1:');
    s.type('\x04');
    expect(await s.result()).toEqual({ error: 'cancelled (end of input)' });
  });
});
