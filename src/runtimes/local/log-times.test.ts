import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readLogLines } from './log-reader.js';
import { noteLogTime, readLogTimes, timeOfOffset } from './log-times.js';

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
    await appendFile(file, 'four\n'); // not noted yet
    expect(await readLogTimes(file)).toEqual([
      { size: 4, at: 1000 },
      { size: 14, at: 2000 },
    ]);
    const lines = [];
    for await (const line of readLogLines(file, { tail: 10, clock: { now: () => 9000, sleep: async () => {} } }))
      lines.push([line.text, line.at, line.cursor]);
    expect(lines).toEqual([
      ['one', 1000, '4'],
      ['two', 2000, '8'],
      ['three', 2000, '14'],
      ['four', 9000, '19'], // after the last note: read time
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
