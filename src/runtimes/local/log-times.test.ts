import { appendFile, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readLogLines } from './log-reader.js';
import { noteLogEnd, noteLogTime, readLogTimes, timeOfOffset } from './log-times.js';

/** Each line of a log as [text, at, cursor], read at `now`. */
async function lines(file: string, now: number): Promise<[string, number, string][]> {
  const out: [string, number, string][] = [];
  for await (const line of readLogLines(file, { tail: 10, clock: { now: () => now, sleep: async () => {} } }))
    out.push([line.text, line.at, line.cursor]);
  return out;
}

describe('log times', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-log-times-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('notes the size when the log grew, and dates each line by the first note that held it', async () => {
    const file = join(dir, 'i.log');
    await writeFile(file, 'one\n');
    let size = await noteLogTime(file, 0, 1000);
    expect(await noteLogTime(file, size, 1500)).toBe(size); // no growth: no note
    await appendFile(file, 'two\nthree\n');
    size = await noteLogTime(file, size, 2000);
    await appendFile(file, 'four\n'); // not noted: the process stopped before the next note
    await utimes(file, 5, 5); // 'four' was written at 5 s; it is read at 9 s
    expect(await readLogTimes(file)).toEqual([
      { size: 4, at: 1000 },
      { size: 14, at: 2000 },
    ]);
    expect(await lines(file, 9000)).toEqual([
      ['one', 1000, '4'],
      ['two', 2000, '8'],
      ['three', 2000, '14'],
      ['four', 5000, '19'], // after the last note: when the log was last written, not when it is read
    ]);
  });

  it('dates lines past the last note no earlier than that note, and no later than now', async () => {
    const file = join(dir, 'late.log');
    await writeFile(file, 'one\n');
    await noteLogTime(file, 0, 3000);
    await appendFile(file, 'two');
    await utimes(file, 2, 2); // a coarse or skewed mtime
    expect((await lines(file, 9000)).map((l) => l[1])).toEqual([3000, 3000]);
    await utimes(file, 20, 20); // a clock behind the file system's
    expect((await lines(file, 9000)).map((l) => l[1])).toEqual([3000, 9000]);
  });

  it('a last note when the process ended dates its last lines by when they were written', async () => {
    const file = join(dir, 'end.log');
    await writeFile(file, 'one\n');
    let size = await noteLogTime(file, 0, 1000);
    await appendFile(file, 'last words\n');
    await utimes(file, 4, 4);
    size = await noteLogEnd(file, size, 7000);
    expect(size).toBe(15);
    await appendFile(file, '--- restart ---\n'); // the next run, noted later
    await noteLogTime(file, size, 8000);
    expect((await lines(file, 9000)).map((l) => l.slice(0, 2))).toEqual([
      ['one', 1000],
      ['last words', 4000],
      ['--- restart ---', 8000],
    ]);
  });

  it('a cursor resumes right after its line', async () => {
    const file = join(dir, 'c.log');
    await writeFile(file, 'a\nb\n');
    const abort = new AbortController();
    const seen: string[] = [];
    const following = (async () => {
      for await (const line of readLogLines(file, { after: '2', follow: true, signal: abort.signal, pollMs: 10 }))
        seen.push(line.text);
    })();
    await appendFile(file, 'c\n');
    for (let i = 0; i < 200 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    abort.abort();
    await following;
    expect(seen).toEqual(['b', 'c']);
  });

  it('timeOfOffset finds the first note at or past an offset', () => {
    const notes = [
      { size: 10, at: 1 },
      { size: 20, at: 2 },
    ];
    expect([5, 10, 11, 20, 21].map((o) => timeOfOffset(notes, o, 99))).toEqual([1, 1, 2, 2, 99]);
  });
});
