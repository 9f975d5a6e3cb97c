import { appendFile, readFile, stat } from 'node:fs/promises';

/**
 * When each part of an instance's log was written. Instances write their log straight to a file
 * (it must survive the coordinator), so lines carry no time of their own; the supervisor notes
 * `<size> <ms since epoch>` in `<log>.times` about once a second while the log grows. A line's
 * time is then when the log was first seen holding it: exact to that second while the coordinator
 * ran, and no later than its next note when it did not. When a process ends, a last note dates its
 * last lines by the log's mtime; lines past every note (a log of an older version, or one still being
 * written) are dated by the mtime too (log-reader.ts), never by when they are read. That is what lets
 * logs of several instances, stopped ones too, be merged by time.
 */
export function timesFile(logFile: string): string {
  return `${logFile}.times`;
}

/** One note: the log held `size` bytes at `at`. */
export interface LogTimeNote {
  size: number;
  at: number;
}

/** Note the log's size now if it grew since `lastSize`; returns the size seen. */
export async function noteLogTime(logFile: string, lastSize: number, now: number): Promise<number> {
  let size: number;
  try {
    size = (await stat(logFile)).size;
  } catch {
    return lastSize; // not created yet
  }
  if (size > lastSize) await appendFile(timesFile(logFile), `${size} ${now}\n`);
  return size;
}

/**
 * The last note of a process that ended: the log's size as of when it was last written (its mtime), so
 * what the process wrote after the previous note is dated by when it was written, not by a later note
 * (a restart's, after its backoff) or by when it is read. Returns the size seen.
 */
export async function noteLogEnd(logFile: string, lastSize: number, now: number): Promise<number> {
  let written: number;
  try {
    written = (await stat(logFile)).mtimeMs;
  } catch {
    return lastSize;
  }
  return noteLogTime(logFile, lastSize, Math.min(written, now));
}

/** The notes of a log, oldest first (none when there is no times file). */
export async function readLogTimes(logFile: string): Promise<LogTimeNote[]> {
  let text: string;
  try {
    text = await readFile(timesFile(logFile), 'utf8');
  } catch {
    return [];
  }
  const notes: LogTimeNote[] = [];
  for (const line of text.split('\n')) {
    const [size, at] = line.split(' ').map(Number);
    if (Number.isFinite(size) && Number.isFinite(at)) notes.push({ size: size!, at: at! });
  }
  return notes;
}

/** When the byte before `end` was first seen in the log: the first note at or past `end`, else `fallback`. */
export function timeOfOffset(notes: readonly LogTimeNote[], end: number, fallback: number): number {
  let lo = 0;
  let hi = notes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (notes[mid]!.size >= end) hi = mid;
    else lo = mid + 1;
  }
  return lo < notes.length ? notes[lo]!.at : fallback;
}
