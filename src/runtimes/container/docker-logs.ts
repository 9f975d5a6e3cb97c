import type Docker from 'dockerode';
import type { LogLine, LogOptions } from '../runtime.js';

/**
 * A container's log from the Engine API (`GET /containers/{id}/logs`, timestamps on): each line
 * is `<RFC 3339 nano time> <text>`. The time, to the nanosecond, is the line's cursor: `after`
 * asks the engine from that second on and skips lines up to the cursor.
 */

/** Nanoseconds since the epoch of an RFC 3339 time with up to nine fraction digits. */
export function nanosOf(stamp: string): bigint | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(stamp);
  if (!m) return undefined;
  const seconds = Date.parse(`${m[1]}Z`);
  if (Number.isNaN(seconds)) return undefined;
  return BigInt(seconds) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

/** One timestamped line as the engine writes it, as a LogLine (undefined for a line without a time). */
export function parseLogLine(raw: string): LogLine | undefined {
  const space = raw.indexOf(' ');
  const stamp = space < 0 ? raw : raw.slice(0, space);
  const nanos = nanosOf(stamp);
  if (nanos === undefined) return undefined;
  return { text: space < 0 ? '' : raw.slice(space + 1), at: Number(nanos / 1_000_000n), cursor: stamp };
}

/**
 * Split the engine's multiplexed stream (8-byte frame headers: stream, 0, 0, 0, length) into text.
 * Stateful across chunks; stdout and stderr come out interleaved in the order they were written.
 */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): string {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let out = '';
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      out += this.pending.subarray(8, 8 + size).toString('utf8');
      this.pending = this.pending.subarray(8 + size);
    }
    return out;
  }
}

/** Lines of a container's log, per LogOptions (tail, follow until aborted, after a cursor). */
export async function* containerLogLines(
  docker: Docker,
  containerId: string,
  options: LogOptions = {},
): AsyncGenerator<LogLine> {
  const after = options.after === undefined ? undefined : nanosOf(options.after);
  const query = {
    stdout: true,
    stderr: true,
    timestamps: true,
    ...(after === undefined ? { tail: options.tail ?? 100 } : { since: Number(after / 1_000_000_000n) }),
  };
  const decoder = new FrameDecoder();
  let partial = '';
  const emit = function* (text: string): Generator<LogLine> {
    const parts = (partial + text).split('\n');
    partial = parts.pop() ?? '';
    for (const raw of parts) {
      const line = parseLogLine(raw);
      if (!line) continue;
      if (after !== undefined && (nanosOf(line.cursor) ?? 0n) <= after) continue;
      yield line;
    }
  };
  if (!options.follow) {
    const body = (await docker.getContainer(containerId).logs({ ...query, follow: false })) as unknown as Buffer;
    yield* emit(decoder.push(Buffer.from(body)));
    yield* emit('\n');
    return;
  }
  if (options.signal?.aborted) return;
  const stream = (await docker
    .getContainer(containerId)
    .logs({ ...query, follow: true })) as unknown as NodeJS.ReadableStream & { destroy(): void };
  const stop = () => stream.destroy();
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    for await (const chunk of stream) {
      yield* emit(decoder.push(chunk as Buffer));
      if (options.signal?.aborted) return;
    }
  } catch (err) {
    if (!options.signal?.aborted) throw err;
  } finally {
    options.signal?.removeEventListener('abort', stop);
    stream.destroy();
  }
}
