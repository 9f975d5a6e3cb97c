import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { systemClock, type Clock } from '../../shared/clock.js';
import type { LogLine } from '../runtime.js';
import { readLogTimes, timeOfOffset, type LogTimeNote } from './log-times.js';

/** The part of a file handle a log read needs: fs's FileHandle has it, and so has one over SFTP (the SSH runtime). */
export interface LogFileHandle {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  /** `mtimeMs`: when the file was last written, where the file system says (it dates lines no note covers). */
  stat(): Promise<{ size: number; mtimeMs?: number }>;
  close(): Promise<void>;
}

/** Where a log and its time notes are read from (default: this machine's files). */
export interface LogFiles {
  /** The open file, or undefined when it does not exist. */
  open(file: string): Promise<LogFileHandle | undefined>;
  times(file: string): Promise<LogTimeNote[]>;
}

const localFiles: LogFiles = { open: openIfExists, times: readLogTimes };

const chunkSize = 64 * 1024;
// A tail is for people and error messages: never hold more than this in memory for it.
const maxTailBytes = 8 * 1024 * 1024;
const newline = 0x0a;

async function openIfExists(file: string): Promise<LogFileHandle | undefined> {
  try {
    return await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

interface Tail {
  /** Up to n complete lines ending before `completeEnd`. */
  lines: string[];
  /** The offset just after each line's newline (its cursor). */
  ends: number[];
  /** Text after the last newline (a line still being written). */
  partial: string;
  /** Offset just after the last newline: where following picks up. */
  completeEnd: number;
}

/** Read backwards from `end` in chunks until n lines are in hand, so a huge log is never loaded whole. */
async function readTail(fh: LogFileHandle, end: number, n: number): Promise<Tail> {
  const chunks: Buffer[] = [];
  let pos = end;
  let newlines = 0;
  while (pos > 0 && newlines <= n && end - pos < maxTailBytes) {
    const len = Math.min(chunkSize, pos);
    pos -= len;
    const buf = Buffer.alloc(len);
    const { bytesRead } = await fh.read(buf, 0, len, pos);
    const chunk = buf.subarray(0, bytesRead);
    chunks.unshift(chunk);
    for (let i = chunk.indexOf(newline); i !== -1; i = chunk.indexOf(newline, i + 1)) newlines++;
  }
  const data = Buffer.concat(chunks);
  const lastNewline = data.lastIndexOf(newline);
  const lines = splitLines(data.subarray(0, lastNewline + 1).toString('utf8'));
  const ends: number[] = [];
  for (let i = data.indexOf(newline); i !== -1 && i <= lastNewline; i = data.indexOf(newline, i + 1))
    ends.push(pos + i + 1);
  // Unless we reached the start of the file, the first line is probably cut off.
  if (pos > 0) {
    lines.shift();
    ends.shift();
  }
  return {
    lines: n > 0 ? lines.slice(-n) : [],
    ends: n > 0 ? ends.slice(-n) : [],
    partial: data.subarray(lastNewline + 1).toString('utf8'),
    completeEnd: lastNewline === -1 ? (pos === 0 ? 0 : end) : pos + lastNewline + 1,
  };
}

/** The last `n` lines of a file ([] when it does not exist), for error messages and `exit` events. */
export async function tailLines(file: string, n: number, files: LogFiles = localFiles): Promise<string[]> {
  if (n <= 0) return [];
  const fh = await files.open(file);
  if (!fh) return [];
  try {
    const tail = await readTail(fh, (await fh.stat()).size, n);
    return (tail.partial === '' ? tail.lines : [...tail.lines, tail.partial]).slice(-n);
  } finally {
    await fh.close();
  }
}

/**
 * When the lines past the last time note were written: no earlier than that note, no later than when the
 * file was last written (its mtime), which for a stopped instance is long before it is read. Without an
 * mtime (or with a clock ahead of this machine's), when it is read.
 */
export function lastWritten(stats: { mtimeMs?: number }, notes: readonly LogTimeNote[], now: number): number {
  const written = stats.mtimeMs !== undefined && Number.isFinite(stats.mtimeMs) ? Math.min(stats.mtimeMs, now) : now;
  return Math.max(written, notes.at(-1)?.at ?? Number.NEGATIVE_INFINITY);
}

/** Options for {@link readLogLines}. */
export interface ReadLogOptions {
  /** Last N lines first (default 100); ignored with `after`. */
  tail?: number;
  /** Keep yielding appended lines until `signal` aborts (or the consumer stops iterating). */
  follow?: boolean;
  /** Start right after the line with this cursor (from an earlier read): no history, nothing twice. */
  after?: string;
  signal?: AbortSignal;
  /** How often a followed file is checked for growth. */
  pollMs?: number;
  clock?: Clock;
  files?: LogFiles;
}

/**
 * A log file's lines, each with when it was written (log-times.ts) and its cursor (the offset after
 * it): the last `tail`, then (with `follow`) new lines as they are appended.
 */
export async function* readLogLines(file: string, options: ReadLogOptions = {}): AsyncGenerator<LogLine> {
  const clock = options.clock ?? systemClock;
  if (options.after !== undefined) {
    const offset = Number(options.after);
    if (!Number.isInteger(offset) || offset < 0) throw new RangeError(`not a log cursor: ${options.after}`);
    if (options.follow) yield* followLines(file, offset, options);
    return;
  }
  const tail = Math.max(0, options.tail ?? 100);
  let offset = 0;
  const files = options.files ?? localFiles;
  const fh = await files.open(file);
  if (fh) {
    try {
      const stats = await fh.stat();
      const size = stats.size;
      const found = await readTail(fh, size, tail);
      const notes = await files.times(file);
      const unnoted = lastWritten(stats, notes, clock.now());
      const lines = found.lines.map((text, i) => ({
        text,
        at: timeOfOffset(notes, found.ends[i]!, unnoted),
        cursor: String(found.ends[i]),
      }));
      // When following, a half-written last line is left for the follower to yield whole.
      if (!options.follow && found.partial !== '')
        lines.push({ text: found.partial, at: timeOfOffset(notes, size, unnoted), cursor: String(size) });
      offset = options.follow ? found.completeEnd : 0;
      for (const line of tail > 0 ? lines.slice(-tail) : []) {
        if (options.signal?.aborted) return;
        yield line;
      }
    } finally {
      await fh.close();
    }
  }
  if (options.follow) yield* followLines(file, offset, options);
}

/** Poll the file for growth from `offset`; restarts from the top if it was truncated. */
async function* followLines(file: string, offset: number, options: ReadLogOptions): AsyncGenerator<LogLine> {
  const { signal } = options;
  const clock = options.clock ?? systemClock;
  const pollMs = options.pollMs ?? 150;
  let decoder = new StringDecoder('utf8');
  let pending = '';
  let fh: LogFileHandle | undefined;
  const files = options.files ?? localFiles;
  try {
    while (!signal?.aborted) {
      fh ??= await files.open(file);
      const stats = fh ? await fh.stat() : undefined;
      const size = stats?.size ?? 0;
      if (size < offset) {
        offset = 0;
        pending = '';
        decoder = new StringDecoder('utf8');
      }
      if (fh && size > offset) {
        const buf = Buffer.alloc(Math.min(size - offset, chunkSize));
        const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
        const chunk = buf.subarray(0, bytesRead);
        // Cursor of each complete line: the byte offset just after its newline.
        let end = offset;
        const ends: number[] = [];
        for (let i = chunk.indexOf(newline); i !== -1; i = chunk.indexOf(newline, i + 1)) ends.push(offset + i + 1);
        offset += bytesRead;
        pending += decoder.write(chunk);
        const parts = pending.split('\n');
        pending = parts.pop() ?? '';
        // Polled often, so new lines were written just before; a backlog (a stopped instance's) is dated when the log
        // was last written rather than now.
        const at = lastWritten(stats!, [], clock.now());
        for (const [i, line] of parts.entries()) {
          if (signal?.aborted) return;
          end = ends[i] ?? end;
          yield { text: line.endsWith('\r') ? line.slice(0, -1) : line, at, cursor: String(end) };
        }
        continue;
      }
      try {
        await clock.sleep(pollMs, signal);
      } catch {
        return; // aborted
      }
    }
  } finally {
    await fh?.close();
  }
}
