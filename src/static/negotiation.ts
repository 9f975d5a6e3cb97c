/**
 * Request headers that choose the response: Accept-Encoding (which precompressed copy),
 * Range (which bytes) and If-None-Match (whether the client's copy is current).
 */

/** Encodings the store keeps copies in, best first: brotli is ~15-20 % smaller than gzip on JS and CSS. */
export type Encoding = 'br' | 'gzip';

/**
 * The best encoding the client accepts among those `available`, or undefined for the file as is.
 * `q=0` refuses an encoding; `*` stands for any encoding not named.
 */
export function chooseEncoding(header: string | undefined, available: readonly Encoding[]): Encoding | undefined {
  if (header === undefined || available.length === 0) return undefined;
  const weights = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    let q = 1;
    for (const param of params) {
      const [key, value] = param.trim().split('=');
      if (key === 'q') q = Number(value);
    }
    weights.set(name, Number.isFinite(q) ? q : 0);
  }
  const weightOf = (encoding: Encoding) =>
    weights.get(encoding) ?? (encoding === 'gzip' ? weights.get('x-gzip') : undefined) ?? weights.get('*') ?? 0;
  let best: Encoding | undefined;
  for (const encoding of ['br', 'gzip'] as const) {
    if (!available.includes(encoding)) continue;
    const q = weightOf(encoding);
    if (q > 0 && (best === undefined || q > weightOf(best))) best = encoding;
  }
  return best;
}

/** A byte range to send (inclusive bounds), or why the Range header cannot be met. */
export type RangeChoice =
  | { kind: 'full' }
  | { kind: 'partial'; start: number; end: number }
  | { kind: 'unsatisfiable' };

/**
 * One `bytes=` range of a body of `size` bytes (RFC 9110 §14). Several ranges, other units or a
 * malformed header are answered with the whole body, as the RFC allows; a range that starts past
 * the end is unsatisfiable (416).
 */
export function chooseRange(header: string | undefined, size: number): RangeChoice {
  if (header === undefined) return { kind: 'full' };
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return { kind: 'full' };
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (!Number.isSafeInteger(start) || start >= size) return { kind: 'unsatisfiable' };
  if (end < start) return { kind: 'full' }; // a last-byte-pos below the first is invalid: ignore the header
  return { kind: 'partial', start, end };
}

/** True when If-None-Match names `etag` (weak comparison, as RFC 9110 §13.1.2 asks) or is `*`. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const wanted = opaque(etag);
  return header.split(',').some((tag) => opaque(tag) === wanted);
}

/** True when a Range request may use the range: no If-Range, or one naming the current strong ETag. */
export function ifRangeAllows(header: string | undefined, etag: string): boolean {
  return header === undefined || header.trim() === etag;
}
