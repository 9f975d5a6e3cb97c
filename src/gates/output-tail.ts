/** The most we keep of a gate's output: enough for the failing test's message, small enough to store per deployment. */
export const tailBytes = 4096;

const newline = 0x0a;

/**
 * Keeps the last `limit` bytes of a stream of chunks (stdout and stderr interleaved as they
 * arrive), so a command that prints megabytes costs a few KB of memory.
 */
export class OutputTail {
  private chunks: Buffer[] = [];
  private size = 0;
  /** The byte just before what is kept (undefined: nothing was dropped). */
  private lastDropped: number | undefined;

  constructor(private readonly limit = tailBytes) {}

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - this.chunks[0]!.length >= this.limit) {
      const dropped = this.chunks.shift()!;
      this.size -= dropped.length;
      this.lastDropped = dropped[dropped.length - 1];
    }
  }

  /** The tail as text; when output was cut mid-line, it starts at the next line so no line is half shown. */
  text(): string {
    const all = Buffer.concat(this.chunks);
    const start = Math.max(0, all.length - this.limit);
    const before = start > 0 ? all[start - 1] : this.lastDropped;
    let text = all.subarray(start).toString('utf8');
    if (before !== undefined && before !== newline) {
      const at = text.indexOf('\n');
      if (at >= 0 && at < text.length - 1) text = text.slice(at + 1);
    }
    return text.replace(/\s+$/, '');
  }
}
