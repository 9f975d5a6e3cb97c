import { STATUS_CODES } from 'node:http';
import { HeaderKind, lineFields, type ResponseHead } from './http-head.js';
import { proxyErrorBody, type ProxyFailure } from './proxy-response.js';
import type { RequestHead } from './request-head.js';

/**
 * Response heads written by the fast path, byte for byte what node:http's ServerResponse writes for the same
 * response on the Exchange path (Date, Connection / Keep-Alive and framing headers added in its order and by its
 * rules), so a client cannot tell the two paths apart. fast-response.test.ts compares them with node:http.
 */

/** node:http's keepAliveTimeout (5 s), announced in Keep-Alive and applied to idle fast-path connections. */
export const keepAliveTimeoutMs = 5_000;
const keepAliveHeaders = `Connection: keep-alive\r\nKeep-Alive: timeout=${keepAliveTimeoutMs / 1000}\r\n`;

let dateHeader: string | undefined;
let dateBytesLine: Buffer | undefined;

function resetDate(): void {
  dateHeader = undefined;
  dateBytesLine = undefined;
}

/**
 * "Date: <IMF-fixdate>\r\n", cached as node:http caches its own (utcDate in _http_outgoing): until the next second
 * starts, by a timer, so responses read no clock.
 */
export function dateLine(): string {
  if (dateHeader === undefined) {
    const d = new Date();
    dateHeader = `Date: ${d.toUTCString()}\r\n`;
    setTimeout(resetDate, 1000 - d.getMilliseconds()).unref();
  }
  return dateHeader;
}

/** How the body is framed towards the client. */
export const ClientFraming = {
  /** HEAD, 204, 304: no body whatever the headers say. */
  None: 0,
  /** The upstream's Content-Length: bytes pass through. */
  Length: 1,
  /** No Content-Length and an HTTP/1.1 client: chunked, re-framed here. */
  Chunked: 2,
  /** No Content-Length and an HTTP/1.0 client: the body ends when the connection closes. */
  Close: 3,
} as const;
export type ClientFraming = (typeof ClientFraming)[keyof typeof ClientFraming];

/** A response head for the client and how its body goes out. */
export interface ClientHead {
  /** The head's bytes (`length` of them), then room for the first body bytes (unfilled). */
  readonly bytes: Buffer;
  readonly length: number;
  readonly framing: ClientFraming;
  /** The connection closes after this response (Connection: close). */
  readonly last: boolean;
}

const keepAliveBytes = Buffer.from(keepAliveHeaders, 'latin1');
const closeBytes = Buffer.from('Connection: close\r\n', 'latin1');
const chunkedBytes = Buffer.from('Transfer-Encoding: chunked\r\n', 'latin1');
const setCookiePrefix = 'Set-Cookie: ';

/** dateLine() as bytes. */
function dateBytes(): Buffer {
  dateBytesLine ??= Buffer.from(dateLine(), 'latin1');
  return dateBytesLine;
}

/** Copy src[from, to) to dst at `at`; the offset after it. Short ranges in a loop: cheaper than a native call. */
export function copyRange(src: Buffer, from: number, to: number, dst: Buffer, at: number): number {
  const n = to - from;
  if (n > 64) return at + src.copy(dst, at, from, to);
  for (let i = 0; i < n; i++) dst[at + i] = src[from + i]!;
  return at + n;
}

/**
 * The client's head for an upstream response: headers.ts's clientResponseHeaders (hop-by-hop and Transfer-Encoding
 * dropped, the sticky Set-Cookie added), then node's additions, copied from the upstream's bytes in one pass (each
 * line written `Name: value`, as node:http writes the rawHeaders it got): no string per header. `room`: body bytes
 * at hand, for which the buffer leaves space after the head when the body passes through as it is (Content-Length
 * framing), so head and body go out in one write.
 */
export function clientHead(
  request: RequestHead,
  response: ResponseHead,
  setCookie: string | undefined,
  room = 0,
): ClientHead {
  const src = response.bytes;
  const lines = response.lines;
  const statusLineEnd = response.statusLineEnd;
  // "HTTP/1.1 " + status + " " + reason + CRLF, whatever the upstream's version.
  let size = 9 + 3 + 1 + Math.max(0, statusLineEnd - 13) + 2;
  let hasLength = false;
  let hasDate = false;
  for (let i = 0; i < lines.length; i += lineFields) {
    const kind = lines[i + 4]!;
    if (kind === HeaderKind.Drop) continue;
    if (kind === HeaderKind.Length) hasLength = true;
    else if (kind === HeaderKind.Date) hasDate = true;
    size += lines[i + 1]! - lines[i]! + 2 + lines[i + 3]! - lines[i + 2]! + 2;
  }
  if (setCookie !== undefined) size += setCookiePrefix.length + setCookie.length + 2;
  const date = hasDate ? undefined : dateBytes();
  if (date !== undefined) size += date.length;
  const status = response.status;
  const hasBody = request.method !== 'HEAD' && status !== 204 && status !== 304 && status >= 200;
  // An HTTP/1.0 client gets no chunked body (node's useChunkedEncodingByDefault is false for it).
  const chunkedByDefault = request.minor === 1;
  let last = false;
  let connection = keepAliveBytes;
  if (!(request.keepAlive && (hasLength || chunkedByDefault))) {
    last = true;
    connection = closeBytes;
  }
  size += connection.length;
  let framing: ClientFraming = ClientFraming.Length;
  if (!hasBody) framing = ClientFraming.None;
  else if (!hasLength) {
    if (chunkedByDefault) {
      size += chunkedBytes.length;
      framing = ClientFraming.Chunked;
    } else {
      last = true;
      framing = ClientFraming.Close;
    }
  }
  size += 2;
  const extra = framing === ClientFraming.Length ? Math.max(0, Math.min(room, response.contentLength)) : 0;
  const out = Buffer.allocUnsafe(size + extra);
  out.write('HTTP/1.1 ', 0, 'latin1');
  let at = copyRange(src, 9, 12, out, 9);
  out[at++] = 32;
  if (statusLineEnd > 13) at = copyRange(src, 13, statusLineEnd, out, at);
  out[at++] = 13;
  out[at++] = 10;
  for (let i = 0; i < lines.length; i += lineFields) {
    if (lines[i + 4] === HeaderKind.Drop) continue;
    const colon = lines[i + 1]!;
    const vs = lines[i + 2]!;
    // Already `Name: value`: one copy.
    if (vs === colon + 2 && src[colon + 1] === 32) at = copyRange(src, lines[i]!, lines[i + 3]!, out, at);
    else {
      at = copyRange(src, lines[i]!, colon, out, at);
      out[at++] = 58;
      out[at++] = 32;
      at = copyRange(src, vs, lines[i + 3]!, out, at);
    }
    out[at++] = 13;
    out[at++] = 10;
  }
  if (setCookie !== undefined) at += out.write(`${setCookiePrefix}${setCookie}\r\n`, at, 'latin1');
  if (date !== undefined) at += date.copy(out, at);
  at += connection.copy(out, at);
  if (framing === ClientFraming.Chunked) at += chunkedBytes.copy(out, at);
  out[at++] = 13;
  out[at++] = 10;
  return { bytes: out, length: at, framing, last };
}

/** The proxy's own answer (sendProxyResponse's bytes, as node:http frames them). */
export function rawProxyResponse(
  request: { method: string; accept: string | undefined; keepAlive: boolean },
  status: number,
  failure: ProxyFailure,
  message: string,
): Buffer {
  const { contentType, body } = proxyErrorBody(request.accept, failure, message);
  const head =
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${contentType}\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n` +
    `X-Slipway-Proxy-Error: ${failure}\r\n${dateLine()}` +
    `${request.keepAlive ? keepAliveHeaders : 'Connection: close\r\n'}\r\n`;
  // The head is latin1 as node writes it; the body (names of services and releases) UTF-8.
  return request.method === 'HEAD'
    ? Buffer.from(head, 'latin1')
    : Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body, 'utf8')]);
}
