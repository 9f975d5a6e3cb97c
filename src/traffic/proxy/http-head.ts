/**
 * HTTP/1.x message heads for the fast path (fast-connection.ts): a request head from a client, a response head from
 * an upstream. Only what the common case needs is parsed; anything unusual makes the request `fallback` so node:http
 * (the Exchange path) serves it exactly as before, and only plain structural damage is refused here (400, 431).
 */

/** Largest request head (request line + headers) read; larger → 431, as node:http's default maxHeaderSize. */
export const maxHeadBytes = 16 * 1024;

const crlfcrlf = Buffer.from('\r\n\r\n');

/** A client's request head, as far as the fast path needs it. */
export interface RequestHead {
  readonly method: string;
  /** The request target, origin-form ("/path?query"). */
  readonly target: string;
  /** 1 for HTTP/1.1, 0 for HTTP/1.0. */
  readonly minor: number;
  /** Header names and values, flat ([name, value, …]) as node's rawHeaders: names keep their case. */
  readonly raw: string[];
  readonly host: string | undefined;
  /** Content-Length, or -1 when absent. */
  readonly contentLength: number;
  /** The client keeps the connection open after this response (llhttp's should_keep_alive). */
  readonly keepAlive: boolean;
  /** X-Slipway-Release, Cookie and Accept, repeated ones joined as node does (", " / "; "). */
  readonly release: string | undefined;
  readonly cookie: string | undefined;
  readonly accept: string | undefined;
  /** Bytes of the head, including the blank line. */
  readonly headEnd: number;
  /** Header names (lower case) a Connection header lists besides close and keep-alive: hop-by-hop too. */
  readonly connectionNamed: string[] | undefined;
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

export type RequestParse = RequestHead | HeadError | typeof incomplete | typeof fallback;

/** Methods served on the fast path; others (CONNECT, WebDAV, unknown ones) go to node:http, which knows them all. */
const fastMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE']);

/** RFC 9110 token characters (header names). */
const tokenChars = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") tokenChars[c.charCodeAt(0)] = 1;
for (let c = 48; c <= 57; c++) tokenChars[c] = 1;
for (let c = 65; c <= 90; c++) tokenChars[c] = 1;
for (let c = 97; c <= 122; c++) tokenChars[c] = 1;

/** A header value character: HTAB, visible ASCII, space, obs-text; never other controls (CR, LF, NUL…). */
function badValueChar(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 127) return true;
  }
  return false;
}

/**
 * Parse the request head at the start of `buf`. `bodyLimit`: a Content-Length above it is streamed, which the
 * Exchange path does (fallback).
 */
export function parseRequestHead(buf: Buffer, bodyLimit: number): RequestParse {
  // Empty lines before the request line (tolerated by RFC 9112): node:http's parser decides.
  if (buf[0] === 13 || buf[0] === 10) return fallback;
  const end = buf.indexOf(crlfcrlf);
  if (end < 0) {
    if (buf.length > maxHeadBytes) return { status: 431, message: `request head larger than ${maxHeadBytes} bytes` };
    // Bare LF line ends: node:http's parser decides.
    if (buf.indexOf('\n\n') >= 0) return fallback;
    return incomplete;
  }
  if (end + 4 > maxHeadBytes) return { status: 431, message: `request head larger than ${maxHeadBytes} bytes` };
  const s = buf.toString('latin1', 0, end + 2);
  const lineEnd = s.indexOf('\r\n');
  const sp1 = s.indexOf(' ');
  const sp2 = sp1 < 0 ? -1 : s.indexOf(' ', sp1 + 1);
  const sp3 = sp2 < 0 ? -1 : s.indexOf(' ', sp2 + 1);
  if (sp1 <= 0 || sp2 < 0 || sp2 > lineEnd || sp2 === sp1 + 1 || (sp3 >= 0 && sp3 < lineEnd)) {
    if (s.charCodeAt(0) === 32 || s.charCodeAt(0) === 9) return fallback;
    return { status: 400, message: 'malformed request line (expected "METHOD /path HTTP/1.1")' };
  }
  const method = s.slice(0, sp1);
  for (let i = 0; i < sp1; i++)
    if (tokenChars[s.charCodeAt(i)] === 0) return { status: 400, message: 'malformed request line: invalid method' };
  const version = s.slice(sp2 + 1, lineEnd);
  let minor: number;
  if (version === 'HTTP/1.1') minor = 1;
  else if (version === 'HTTP/1.0') minor = 0;
  else if (version.startsWith('HTTP/')) return fallback;
  else return { status: 400, message: 'malformed request line: the version is not HTTP/1.x' };
  if (!fastMethods.has(method)) return fallback;
  const target = s.slice(sp1 + 1, sp2);
  for (let i = 0; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c < 33 || c === 127) return { status: 400, message: 'malformed request line: control character in the target' };
    if (c > 127) return fallback;
  }
  // Absolute-form ("http://host/path") and "*": proxy-request.ts handles them.
  if (target.charCodeAt(0) !== 47 /* / */) return fallback;
  // RUM beacons are answered by rum-intake.ts on the node:http path.
  if (target.includes('/.slipway/')) return fallback;

  const raw: string[] = [];
  let host: string | undefined;
  let contentLength = -1;
  let close = false;
  let keepAliveToken = false;
  let release: string | undefined;
  let cookie: string | undefined;
  let accept: string | undefined;
  let connectionNamed: string[] | undefined;
  let pos = lineEnd + 2;
  while (pos < end + 2) {
    const eol = s.indexOf('\r\n', pos);
    const first = s.charCodeAt(pos);
    // obs-fold (a continuation line): deprecated, node:http decides.
    if (first === 32 || first === 9) return fallback;
    const colon = s.indexOf(':', pos);
    if (colon < 0 || colon > eol) return { status: 400, message: 'malformed header line (no ":")' };
    if (colon === pos) return { status: 400, message: 'malformed header line (empty name)' };
    for (let i = pos; i < colon; i++)
      if (tokenChars[s.charCodeAt(i)] === 0) return { status: 400, message: 'malformed header name' };
    let vs = colon + 1;
    let ve = eol;
    while (vs < ve && (s.charCodeAt(vs) === 32 || s.charCodeAt(vs) === 9)) vs++;
    while (ve > vs && (s.charCodeAt(ve - 1) === 32 || s.charCodeAt(ve - 1) === 9)) ve--;
    if (badValueChar(s, vs, ve)) return { status: 400, message: 'control character in a header value' };
    const name = s.slice(pos, colon);
    const value = s.slice(vs, ve);
    pos = eol + 2;
    raw.push(name, value);
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === 'host') {
          if (host !== undefined) return fallback;
          host = value;
        }
        break;
      case 6:
        if (name.toLowerCase() === 'cookie') cookie = cookie === undefined ? value : `${cookie}; ${value}`;
        else if (name.toLowerCase() === 'accept') accept = accept === undefined ? value : `${accept}, ${value}`;
        else if (name.toLowerCase() === 'expect') return fallback;
        break;
      case 7:
        if (name.toLowerCase() === 'upgrade') return fallback;
        break;
      case 2:
        // TE on an HTTP/1.0 request changes node's response framing.
        if (minor === 0 && name.toLowerCase() === 'te') return fallback;
        break;
      case 10:
        if (name.toLowerCase() !== 'connection') break;
        // The usual values need no split.
        if (value === 'keep-alive') keepAliveToken = true;
        else if (value === 'close') close = true;
        else
          for (const token of value.split(',')) {
            const t = token.trim().toLowerCase();
            if (t === 'close') close = true;
            else if (t === 'keep-alive') keepAliveToken = true;
            else if (t === 'upgrade') return fallback;
            else if (t !== '') {
              connectionNamed ??= [];
              connectionNamed.push(t);
            }
          }
        break;
      case 14:
        if (name.toLowerCase() === 'content-length') {
          const n = decimal(value);
          // Repeated or not a number: node:http's parser gives its answer (400), as before.
          if (contentLength >= 0 || n < 0) return fallback;
          contentLength = n;
          if (contentLength > bodyLimit) return fallback;
        }
        break;
      case 17:
        if (name.toLowerCase() === 'transfer-encoding') return fallback;
        else if (name.toLowerCase() === 'x-slipway-release')
          release = release === undefined ? value : `${release}, ${value}`;
        break;
    }
  }
  const keepAlive = minor === 1 ? !close : keepAliveToken && !close;
  return {
    method,
    target,
    minor,
    raw,
    host,
    contentLength,
    keepAlive,
    release,
    cookie,
    accept,
    headEnd: end + 4,
    connectionNamed,
  };
}

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

/** Does buf[from, from + target.length) equal `target` (lower case letters and '-') in any case? */
function lowerIs(buf: Buffer, from: number, target: string): boolean {
  for (let i = 0; i < target.length; i++) if ((buf[from + i]! | 0x20) !== target.charCodeAt(i)) return false;
  return true;
}

/** The kind of the response header named buf[pos, colon) (hop-by-hop names as headers.ts's isHopByHop). */
function responseHeaderKind(buf: Buffer, pos: number, colon: number): number {
  const n = colon - pos;
  if ((buf[pos]! | 0x20) === 112 /* p */ && n > 6 && lowerIs(buf, pos, 'proxy-')) return HeaderKind.Drop;
  switch (n) {
    case 2:
      return lowerIs(buf, pos, 'te') ? HeaderKind.Drop : HeaderKind.Pass;
    case 4:
      return lowerIs(buf, pos, 'date') ? HeaderKind.Date : HeaderKind.Pass;
    case 7:
      return lowerIs(buf, pos, 'trailer') || lowerIs(buf, pos, 'upgrade') ? HeaderKind.Drop : HeaderKind.Pass;
    case 10:
      return lowerIs(buf, pos, 'connection') || lowerIs(buf, pos, 'keep-alive') ? HeaderKind.Drop : HeaderKind.Pass;
    case 14:
      return lowerIs(buf, pos, 'content-length') ? HeaderKind.Length : HeaderKind.Pass;
    case 17:
      return lowerIs(buf, pos, 'transfer-encoding') ? HeaderKind.Drop : HeaderKind.Pass;
    default:
      return HeaderKind.Pass;
  }
}

const httpSlash1 = 'HTTP/1.';

/**
 * Parse the response head at the start of `buf`; `incomplete` until its blank line arrived. One pass over the
 * bytes (names checked as tokens, values for control characters); strings are made only for what is read as text
 * (a reason other than OK, an unusual Connection or Transfer-Encoding value).
 */
export function parseResponseHead(buf: Buffer): ResponseHead | ResponseError | typeof incomplete {
  const end = buf.indexOf(crlfcrlf);
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
      // The usual values need no string.
      if (ve - vs === 10 && lowerIs(buf, vs, 'keep-alive')) keepAliveToken = true;
      else if (ve - vs === 5 && lowerIs(buf, vs, 'close')) close = true;
      else
        for (const token of buf.toString('latin1', vs, ve).split(',')) {
          const t = token.trim().toLowerCase();
          if (t === 'close') close = true;
          else if (t === 'keep-alive') keepAliveToken = true;
          else if (t !== '') {
            connectionNamed ??= [];
            connectionNamed.push(t);
          }
        }
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
function decimalIn(buf: Buffer, from: number, to: number): number {
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
