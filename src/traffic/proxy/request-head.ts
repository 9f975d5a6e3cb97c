import { HeaderNames, lowerIs } from './header-names.js';
import {
  ConnectionToken,
  connectionBits,
  connectionNames,
  hopByHopPrefix,
  RequestHeaderRule,
  requestHeaderRules,
} from './header-rules.js';
import {
  decimalIn,
  fallback,
  type HeadError,
  headEndIn,
  incomplete,
  lineFields,
  maxHeadBytes,
  tokenChars,
} from './http-head.js';

/**
 * A client's request head for the fast path (fast-connection.ts), read from its bytes: strings are made only for what
 * routing reads (method, target, Host, Cookie, Accept, X-Slipway-Release); every other header stays a range of bytes
 * that fast-request.ts copies upstream. Anything unusual makes the request `fallback`, so node:http (the Exchange
 * path) serves it exactly as before; only plain structural damage is refused here (400, 431).
 */

/** A client's request head, as far as the fast path needs it. */
export interface RequestHead {
  readonly method: string;
  /** The request target, origin-form ("/path?query"), as sent: it starts after the method and one space. */
  readonly target: string;
  /** 1 for HTTP/1.1, 0 for HTTP/1.0. */
  readonly minor: number;
  /**
   * `lineFields` numbers per header line, in order: start, colon, value start, value end (whitespace around the
   * value left out, as node's rawHeaders do), RequestHeaderRule. Offsets from the head's first byte.
   */
  readonly lines: readonly number[];
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

export type RequestParse = RequestHead | HeadError | typeof incomplete | typeof fallback;

/** Methods served on the fast path; others (CONNECT, WebDAV, unknown ones) go to node:http, which knows them all. */
const fastMethods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE'];

/** The names this parser looks at: those with a forwarding rule, and those routing reads. */
const known = new HeaderNames([...requestHeaderRules.keys(), 'cookie', 'accept', 'x-slipway-release']);
const knownRules = known.names.map((name) => requestHeaderRules.get(name) ?? RequestHeaderRule.Forward);
const id = (name: string) => known.names.indexOf(name);
const [hostId, cookieId, acceptId, expectId, upgradeId, teId, connectionId, lengthId, encodingId, releaseId] = [
  id('host'),
  id('cookie'),
  id('accept'),
  id('expect'),
  id('upgrade'),
  id('te'),
  id('connection'),
  id('content-length'),
  id('transfer-encoding'),
  id('x-slipway-release'),
];

const malformedLine = 'malformed request line (expected "METHOD /path HTTP/1.1")';

/**
 * Parse the request head at the start of `buf`. `bodyLimit`: a Content-Length above it is streamed, which the
 * Exchange path does (fallback).
 */
export function parseRequestHead(buf: Buffer, bodyLimit: number): RequestParse {
  // Empty lines before the request line (tolerated by RFC 9112): node:http's parser decides.
  if (buf[0] === 13 || buf[0] === 10) return fallback;
  const end = headEndIn(buf);
  if (end < 0) {
    if (buf.length > maxHeadBytes) return { status: 431, message: `request head larger than ${maxHeadBytes} bytes` };
    // Bare LF line ends: node:http's parser decides.
    if (buf.indexOf('\n\n') >= 0) return fallback;
    return incomplete;
  }
  if (end + 4 > maxHeadBytes) return { status: 431, message: `request head larger than ${maxHeadBytes} bytes` };
  let lineEnd = 0;
  while (buf[lineEnd] !== 13 || buf[lineEnd + 1] !== 10) lineEnd++;
  // Exactly two single spaces in the request line.
  const sp1 = spaceIn(buf, 0, lineEnd);
  const sp2 = sp1 <= 0 ? -1 : spaceIn(buf, sp1 + 1, lineEnd);
  if (sp2 < 0 || sp2 === sp1 + 1 || spaceIn(buf, sp2 + 1, lineEnd) >= 0) {
    if (buf[0] === 32 || buf[0] === 9) return fallback;
    return { status: 400, message: malformedLine };
  }
  for (let i = 0; i < sp1; i++)
    if (tokenChars[buf[i]!] === 0) return { status: 400, message: 'malformed request line: invalid method' };
  const minor = versionMinor(buf, sp2 + 1, lineEnd);
  if (minor === -1) return fallback;
  if (minor === -2) return { status: 400, message: 'malformed request line: the version is not HTTP/1.x' };
  const method = fastMethod(buf, sp1);
  if (method === undefined) return fallback;
  for (let i = sp1 + 1; i < sp2; i++) {
    const c = buf[i]!;
    if (c < 33 || c === 127) return { status: 400, message: 'malformed request line: control character in the target' };
    if (c > 127) return fallback;
  }
  // Absolute-form ("http://host/path") and "*": proxy-request.ts handles them.
  if (buf[sp1 + 1] !== 47 /* / */) return fallback;
  const target = buf.toString('latin1', sp1 + 1, sp2);
  // RUM beacons are answered by rum-intake.ts on the node:http path.
  if (target.includes('/.slipway/')) return fallback;

  const lines: number[] = [];
  let host: string | undefined;
  let contentLength = -1;
  let close = false;
  let keepAliveToken = false;
  let release: string | undefined;
  let cookie: string | undefined;
  let accept: string | undefined;
  let connectionNamed: string[] | undefined;
  let pos = lineEnd + 2;
  const stop = end + 2;
  while (pos < stop) {
    const first = buf[pos];
    // obs-fold (a continuation line): deprecated, node:http decides.
    if (first === 32 || first === 9) return fallback;
    let i = pos;
    while (tokenChars[buf[i]!] === 1) i++;
    if (buf[i] !== 58 /* : */ || i === pos) return headerLineError(buf, pos);
    const colon = i++;
    while (buf[i] === 32 || buf[i] === 9) i++;
    const vs = i;
    let ve = vs;
    for (; ; i++) {
      const c = buf[i]!;
      if (c === 13 && buf[i + 1] === 10) break;
      if ((c < 32 && c !== 9) || c === 127) return { status: 400, message: 'control character in a header value' };
      if (c !== 32 && c !== 9) ve = i + 1;
    }
    const name = known.find(buf, pos, colon);
    let rule: number = RequestHeaderRule.Forward;
    if (name >= 0) rule = knownRules[name]!;
    else if (colon - pos >= hopByHopPrefix.length && lowerIs(buf, pos, hopByHopPrefix)) rule = RequestHeaderRule.Drop;
    lines.push(pos, colon, vs, ve, rule);
    pos = i + 2;
    if (name < 0) continue;
    switch (name) {
      case hostId:
        if (host !== undefined) return fallback;
        host = buf.toString('latin1', vs, ve);
        break;
      case cookieId: {
        const value = buf.toString('latin1', vs, ve);
        cookie = cookie === undefined ? value : `${cookie}; ${value}`;
        break;
      }
      case acceptId: {
        const value = buf.toString('latin1', vs, ve);
        accept = accept === undefined ? value : `${accept}, ${value}`;
        break;
      }
      case releaseId: {
        const value = buf.toString('latin1', vs, ve);
        release = release === undefined ? value : `${release}, ${value}`;
        break;
      }
      case expectId:
      case upgradeId:
      case encodingId:
        return fallback;
      case teId:
        // TE on an HTTP/1.0 request changes node's response framing.
        if (minor === 0) return fallback;
        break;
      case connectionId: {
        const bits = connectionBits(buf, vs, ve);
        if (bits & ConnectionToken.Upgrade) return fallback;
        if (bits & ConnectionToken.Close) close = true;
        if (bits & ConnectionToken.KeepAlive) keepAliveToken = true;
        if (bits & ConnectionToken.Named)
          connectionNamed = [...(connectionNamed ?? []), ...connectionNames(buf, vs, ve)];
        break;
      }
      case lengthId: {
        const n = decimalIn(buf, vs, ve);
        // Repeated or not a number: node:http's parser gives its answer (400), as before.
        if (contentLength >= 0 || n < 0) return fallback;
        contentLength = n;
        if (contentLength > bodyLimit) return fallback;
        break;
      }
    }
  }
  // Headers the Connection header names are hop-by-hop too (rare: names compared as strings).
  if (connectionNamed !== undefined)
    for (let i = 0; i < lines.length; i += lineFields)
      if (
        lines[i + 4] === RequestHeaderRule.Forward &&
        connectionNamed.includes(buf.toString('latin1', lines[i]!, lines[i + 1]!).toLowerCase())
      )
        lines[i + 4] = RequestHeaderRule.Drop;
  const keepAlive = minor === 1 ? !close : keepAliveToken && !close;
  return {
    method,
    target,
    minor,
    lines,
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

/** The headers of a parsed request (parsed from `buf`) as node's flat rawHeaders: for tests and diagnostics. */
export function requestRawHeaders(head: RequestHead, buf: Buffer): string[] {
  const raw: string[] = [];
  const l = head.lines;
  for (let i = 0; i < l.length; i += lineFields)
    raw.push(buf.toString('latin1', l[i]!, l[i + 1]!), buf.toString('latin1', l[i + 2]!, l[i + 3]!));
  return raw;
}

/** The first space in buf[from, to), or -1. */
function spaceIn(buf: Buffer, from: number, to: number): number {
  for (let i = from; i < to; i++) if (buf[i] === 32) return i;
  return -1;
}

/** The minor version of "HTTP/1.0" or "HTTP/1.1" in buf[from, to); -1: another HTTP version; -2: not HTTP. */
function versionMinor(buf: Buffer, from: number, to: number): number {
  const n = to - from;
  if (n < 5 || buf[from] !== 72 || buf[from + 1] !== 84 || buf[from + 2] !== 84 || buf[from + 3] !== 80) return -2;
  if (buf[from + 4] !== 47 /* / */) return -2;
  if (n === 8 && buf[from + 5] === 49 && buf[from + 6] === 46) {
    const d = buf[from + 7];
    if (d === 49) return 1;
    if (d === 48) return 0;
  }
  return -1;
}

/** The method in buf[0, n) when the fast path serves it (the constant string: nothing made per request). */
function fastMethod(buf: Buffer, n: number): string | undefined {
  for (const m of fastMethods) {
    if (m.length !== n) continue;
    let i = 0;
    while (i < n && buf[i] === m.charCodeAt(i)) i++;
    if (i === n) return m;
  }
  return undefined;
}

/** Why the header line at `pos` is malformed (its name is not a token followed by ':'). */
function headerLineError(buf: Buffer, pos: number): HeadError {
  const eol = buf.indexOf('\r\n', pos, 'latin1');
  const colon = buf.indexOf(58, pos);
  if (colon < 0 || colon > eol) return { status: 400, message: 'malformed header line (no ":")' };
  if (colon === pos) return { status: 400, message: 'malformed header line (empty name)' };
  return { status: 400, message: 'malformed header name' };
}
