/**
 * HTTP/1.x message heads for the fast path (fast-connection.ts): an upstream's response head, and what request-head.ts
 * (a client's request head) shares with it. Only what the common case needs is parsed.
 */

import { HeaderNames, lowerIs } from './header-names.js';
import { ConnectionToken, connectionBits, connectionNames, hopByHopNames, hopByHopPrefix } from './header-rules.js';

/** Largest request head (request line + headers) read; larger → 431, as node:http's default maxHeaderSize. */
export const maxHeadBytes = 16 * 1024;

/**
 * Where the blank line ending a head ("\r\n\r\n") starts in `buf`, or -1: what buf.indexOf('\r\n\r\n') answers,
 * by a loop that for a head of a few hundred bytes costs less than Buffer#indexOf's checks and native call (two per
 * request, ~1.4 % of a worker in the profile). A byte at i + 3 that is neither CR nor LF rules out a match starting
 * at i to i + 3, so most of the bytes are skipped unread.
 */
export function headEndIn(buf: Buffer): number {
  const n = buf.length;
  let i = 0;
  while (i + 3 < n) {
    const c = buf[i + 3]!;
    if (c !== 10 && c !== 13) i += 4;
    else if (c === 10 && buf[i + 2] === 13 && buf[i + 1] === 10 && buf[i] === 13) return i;
    else i++;
  }
  return -1;
}

/** The head is not complete yet. */
export const incomplete = 0;
/** node:http must serve this request (an unusual but possibly valid request, or one it answers itself). */
export const fallback = 1;
/** A request the fast path refuses: 400 or 431 with a message naming what is wrong. */
export interface HeadError {
  readonly status: 400 | 431;
  readonly message: string;
}

/** RFC 9110 token characters (header names). */
export const tokenChars = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") tokenChars[c.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) tokenChars[c] = 1;
for (let c = 65; c <= 90; c++) tokenChars[c] = 1;
for (let c = 97; c <= 122; c++) tokenChars[c] = 1;

/** What a response header line is to the proxy (ResponseHead.lines). */
export const HeaderKind = {
  /** Forwarded to the client as it is. */
  Pass: 0,
  /** Hop-by-hop or Transfer-Encoding: never forwarded. */
  Drop: 1,
  /** Content-Length: forwarded, and the client's framing follows it. */
  Length: 2,
  /** Date: forwarded, and node's own Date is not added. */
  Date: 3,
} as const;

/** Numbers per header line in ResponseHead.lines: start, colon, value start (after leading whitespace), line end
 * (the value as forwarded ends there), HeaderKind. */
export const lineFields = 5;

/** An upstream's response head. */
export interface ResponseHead {
  readonly status: number;
  readonly reason: string;
  /**
   * The bytes the head was parsed from (from offset 0; bytes past headEnd may follow). Valid only during the read
   * that delivered it (the shared read buffer): the client's head is built from them at once (fast-response.ts).
   */
  readonly bytes: Buffer;
  /** Where the status line ends (its CR). */
  readonly statusLineEnd: number;
  /** `lineFields` numbers per header line, in order: no strings made for headers the proxy only forwards. */
  readonly lines: readonly number[];
  /** Content-Length, or -1. */
  readonly contentLength: number;
  readonly chunked: boolean;
  /** The upstream keeps the connection open after this response. */
  readonly keepAlive: boolean;
  readonly headEnd: number;
  /** Header names (lower case) its Connection header lists besides close and keep-alive: hop-by-hop too. */
  readonly connectionNamed: string[] | undefined;
}

/** Why an upstream's response could not be read; `code` as undici's (for the 502 message). */
export interface ResponseError {
  readonly code: string;
  readonly message: string;
}

/**
 * Kinds of the response headers the proxy does not simply pass: hop-by-hop ones (header-rules.ts, shared with
 * headers.ts's clientResponseHeaders) and Transfer-Encoding are dropped; Content-Length and Date are read.
 */
const responseNames = new HeaderNames([...hopByHopNames, 'transfer-encoding', 'content-length', 'date']);
const responseKinds = responseNames.names.map((name) =>
  name === 'content-length' ? HeaderKind.Length : name === 'date' ? HeaderKind.Date : HeaderKind.Drop,
);

/** The kind of the response header named buf[pos, colon). */
function responseHeaderKind(buf: Buffer, pos: number, colon: number): number {
  const i = responseNames.find(buf, pos, colon);
  if (i >= 0) return responseKinds[i]!;
  return colon - pos >= hopByHopPrefix.length && lowerIs(buf, pos, hopByHopPrefix) ? HeaderKind.Drop : HeaderKind.Pass;
}

const httpSlash1 = 'HTTP/1.';

/**
 * Parse the response head at the start of `buf`; `incomplete` until its blank line arrived. One pass over the
 * bytes (names checked as tokens, values for control characters); strings are made only for what is read as text
 * (a reason other than OK, an unusual Connection or Transfer-Encoding value).
 */
export function parseResponseHead(buf: Buffer): ResponseHead | ResponseError | typeof incomplete {
  const end = headEndIn(buf);
  if (end < 0) {
    if (buf.length > maxHeadBytes) return { code: 'UND_ERR_HEADERS_OVERFLOW', message: 'Headers Overflow Error' };
    return incomplete;
  }
  if (end + 4 > maxHeadBytes) return { code: 'UND_ERR_HEADERS_OVERFLOW', message: 'Headers Overflow Error' };
  for (let i = 0; i < 7; i++) if (buf[i] !== httpSlash1.charCodeAt(i)) return protocolError('invalid status line');
  const minorChar = buf[7]!;
  let lineEnd = 8;
  while (buf[lineEnd] !== 13) lineEnd++;
  if (
    (minorChar !== 48 && minorChar !== 49) ||
    buf[8] !== 32 ||
    lineEnd < 12 ||
    buf[lineEnd + 1] !== 10 ||
    (lineEnd > 12 && buf[12] !== 32)
  )
    return protocolError('invalid status line');
  const d0 = buf[9]! - 48;
  const d1 = buf[10]! - 48;
  const d2 = buf[11]! - 48;
  if (d0 < 1 || d0 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return protocolError('invalid status code');
  const status = d0 * 100 + d1 * 10 + d2;
  for (let i = 13; i < lineEnd; i++) {
    const c = buf[i]!;
    if ((c < 32 && c !== 9) || c === 127) return protocolError('invalid status text');
  }
  const reason =
    lineEnd <= 12
      ? ''
      : lineEnd === 15 && buf[13] === 79 && buf[14] === 75
        ? 'OK'
        : buf.toString('latin1', 13, lineEnd);
  const lines: number[] = [];
  let contentLength = -1;
  let chunked = false;
  let te = false;
  let close = false;
  let keepAliveToken = false;
  let connectionNamed: string[] | undefined;
  let pos = lineEnd + 2;
  const stop = end + 2;
  while (pos < stop) {
    let i = pos;
    while (tokenChars[buf[i]!] === 1) i++;
    if (buf[i] !== 58 /* : */ || i === pos) {
      const eol = buf.indexOf(13, pos);
      const colon = buf.indexOf(58, pos);
      return protocolError(colon <= pos || colon > eol ? 'invalid header line' : 'invalid header name');
    }
    const colon = i++;
    while (buf[i] === 32 || buf[i] === 9) i++;
    const vs = i;
    let ve = vs;
    for (; ; i++) {
      const c = buf[i]!;
      if (c === 13) break;
      if ((c < 32 && c !== 9) || c === 127) return protocolError('invalid header value char');
      if (c !== 32 && c !== 9) ve = i + 1;
    }
    const eol = i;
    if (buf[eol + 1] !== 10) return protocolError('invalid header value char');
    const kind = responseHeaderKind(buf, pos, colon);
    // The value as forwarded keeps trailing whitespace, as undici's rawHeaders do on the node:http path.
    lines.push(pos, colon, vs, eol, kind);
    const n = colon - pos;
    if (kind === HeaderKind.Length) {
      const v = decimalIn(buf, vs, ve);
      if (v < 0 || (contentLength >= 0 && v !== contentLength)) return protocolError('invalid content-length');
      contentLength = v;
    } else if (kind === HeaderKind.Drop && n === 17 && lowerIs(buf, pos, 'transfer-encoding')) {
      te = true;
      chunked =
        (ve - vs === 7 && lowerIs(buf, vs, 'chunked')) || /(?:^|,)\s*chunked\s*$/i.test(buf.toString('latin1', vs, ve));
    } else if (kind === HeaderKind.Drop && n === 10 && lowerIs(buf, pos, 'connection')) {
      const bits = connectionBits(buf, vs, ve);
      if (bits & ConnectionToken.Close) close = true;
      if (bits & ConnectionToken.KeepAlive) keepAliveToken = true;
      if (bits & ConnectionToken.Named) connectionNamed = [...(connectionNamed ?? []), ...connectionNames(buf, vs, ve)];
    }
    pos = eol + 2;
  }
  if (te && contentLength >= 0) return protocolError("Content-Length can't be present with Transfer-Encoding");
  // Transfer-Encoding whose last coding is not chunked: the body ends when the connection closes.
  if (te && !chunked) close = true;
  // Headers the Connection header names are hop-by-hop too (rare: names compared as strings).
  if (connectionNamed !== undefined)
    for (let i = 0; i < lines.length; i += lineFields)
      if (connectionNamed.includes(buf.toString('latin1', lines[i]!, lines[i + 1]!).toLowerCase()))
        lines[i + 4] = HeaderKind.Drop;
  const keepAlive = minorChar === 49 ? !close : keepAliveToken && !close;
  return {
    status,
    reason,
    bytes: buf,
    statusLineEnd: lineEnd,
    lines,
    contentLength,
    chunked,
    keepAlive,
    headEnd: end + 4,
    connectionNamed,
  };
}

/** The headers of a parsed response as node's flat rawHeaders ([name, value, …]): for tests and diagnostics. */
export function responseRawHeaders(head: ResponseHead): string[] {
  const raw: string[] = [];
  const l = head.lines;
  for (let i = 0; i < l.length; i += lineFields)
    raw.push(head.bytes.toString('latin1', l[i]!, l[i + 1]!), head.bytes.toString('latin1', l[i + 2]!, l[i + 3]!));
  return raw;
}

/** buf[from, to) as a decimal number (decimal's rules), or -1. */
export function decimalIn(buf: Buffer, from: number, to: number): number {
  const n = to - from;
  if (n === 0 || n > 15) return decimal(buf.toString('latin1', from, to));
  let v = 0;
  for (let i = from; i < to; i++) {
    const c = buf[i]! - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** A header value of decimal digits only ("0" to 2^53), or -1 (empty, a sign, a space, anything else). */
function decimal(value: string): number {
  const n = value.length;
  if (n === 0 || n > 15) return n > 15 && /^\d+$/.test(value) ? Number(value) : -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function protocolError(what: string): ResponseError {
  return { code: 'HPE_INVALID_CONSTANT', message: `Response does not match the HTTP/1.1 protocol (${what})` };
}
