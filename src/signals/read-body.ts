import type { Readable } from 'node:stream';

/** A body that outgrew the limit: the caller says what it means in its own words. */
export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`answer larger than ${limit} bytes`);
  }
}

/**
 * Read a response body as UTF-8 text, at most `limit` bytes: a runaway answer (a query that
 * returns every series) must not take the coordinator's memory. Destroys the body when over.
 */
export async function readText(body: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > limit) {
      body.destroy();
      throw new BodyTooLarge(limit);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The most specific code of a network error (ECONNREFUSED, UND_ERR_SOCKET…), else its message. */
export function networkReason(e: unknown): string {
  const err = e as { code?: unknown; cause?: { code?: unknown }; message?: unknown };
  if (typeof err?.cause?.code === 'string') return err.cause.code;
  if (typeof err?.code === 'string' && err.code !== 'UND_ERR_SOCKET') return err.code;
  return typeof err?.message === 'string' ? err.message : String(e);
}
