import { appendFile, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readLogLines, tailLines } from './log-reader.js';

async function collect(lines: AsyncIterable<{ text: string }>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line.text);
  return out;
}

async function until(what: string, check: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('log reader', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-log-reader-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('tails a large file across chunk boundaries', async () => {
    const file = join(dir, 'big.log');
    const lines = Array.from({ length: 50_000 }, (_, i) => `line ${i} ${'x'.repeat(i % 97)}`);
    await writeFile(file, `${lines.join('\n')}\n`);
    expect(await tailLines(file, 3)).toEqual(lines.slice(-3));
    expect(await tailLines(file, 2500)).toEqual(lines.slice(-2500));
  });

  it('handles short files, a missing final newline, CRLF, multibyte text and n <= 0', async () => {
    const file = join(dir, 'short.log');
    await writeFile(file, 'one\r\nzwei – drei\nhalf');
    expect(await tailLines(file, 10)).toEqual(['one', 'zwei – drei', 'half']);
    expect(await tailLines(file, 2)).toEqual(['zwei – drei', 'half']);
    expect(await tailLines(file, 0)).toEqual([]);
    await writeFile(file, '');
    expect(await tailLines(file, 5)).toEqual([]);
  });

  it('returns nothing for a missing file', async () => {
    expect(await tailLines(join(dir, 'nope.log'), 5)).toEqual([]);
    expect(await collect(readLogLines(join(dir, 'nope.log')))).toEqual([]);
  });

  it('follows appended lines, joining lines written in pieces, until aborted', async () => {
    const file = join(dir, 'follow.log');
    await writeFile(file, 'old 1\nold 2\npart');
    const abort = new AbortController();
    const seen: string[] = [];
    const done = (async () => {
      for await (const line of readLogLines(file, { tail: 1, follow: true, signal: abort.signal, pollMs: 20 }))
        seen.push(line.text);
    })();
    await until('the tail', () => seen.length === 1);
    expect(seen).toEqual(['old 2']);
    await appendFile(file, 'ial line\nnew ');
    await appendFile(file, 'line\n');
    await until('two new lines', () => seen.length === 3);
    expect(seen).toEqual(['old 2', 'partial line', 'new line']);

    // Truncated and rewritten shorter than before: whenever the follower looks, it starts over.
    await truncate(file, 0);
    await appendFile(file, 'after truncation\n');
    await until('the line after truncation', () => seen.length === 4);
    expect(seen[3]).toBe('after truncation');

    abort.abort();
    await done;
  });

  it('waits for a file that does not exist yet when following', async () => {
    const file = join(dir, 'later.log');
    const abort = new AbortController();
    const seen: string[] = [];
    const done = (async () => {
      for await (const line of readLogLines(file, { follow: true, signal: abort.signal, pollMs: 20 }))
        seen.push(line.text);
    })();
    await writeFile(file, 'hello\n');
    await until('the first line', () => seen.length === 1);
    expect(seen).toEqual(['hello']);
    abort.abort();
    await done;
  });
});
