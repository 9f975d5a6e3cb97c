/**
 * Bodies of published files. The store never changes under a name, so small files are read once
 * and kept in memory (bounded): a page load's dozens of chunks cost no disk reads after the first.
 * Larger files and ranges are streamed from disk.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

/** A variant of a file in a release's store directory: `files` (as built), `br` or `gzip`. */
export type Variant = 'files' | 'br' | 'gzip';

export class FileBodies {
  private readonly cache = new Map<string, Buffer>();
  private cached = 0;

  constructor(
    /** Files up to this size are kept in memory. */
    private readonly maxFileBytes = 512 * 1024,
    /** And no more than this in all. */
    private readonly maxTotalBytes = 64 * 1024 * 1024,
  ) {}

  /** The whole body, from memory when it fits; undefined when it is too large (stream it). */
  async whole(dir: string, variant: Variant, file: string, size: number): Promise<Buffer | undefined> {
    if (size > this.maxFileBytes) return undefined;
    const key = path.join(dir, variant, file);
    const hit = this.cache.get(key);
    if (hit) return hit;
    const body = await readFile(key);
    if (this.cached + body.length <= this.maxTotalBytes) {
      this.cache.set(key, body);
      this.cached += body.length;
    }
    return body;
  }

  /** A stream of bytes start..end (inclusive) of the file. */
  stream(dir: string, variant: Variant, file: string, start: number, end: number): Readable {
    return createReadStream(path.join(dir, variant, file), { start, end });
  }
}
