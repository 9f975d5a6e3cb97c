import { copyRange } from './fast-response.js';
import { RequestHeaderRule } from './header-rules.js';
import { lineFields } from './http-head.js';
import type { RequestHead } from './request-head.js';
import { requestIdLength, writeRequestId } from './request-id.js';

/**
 * The request the fast path sends upstream, built as bytes from the client's: the headers headers.ts's
 * upstreamRequestHeaders keeps and adds (the rules of header-rules.ts, which request-head.ts put on each line),
 * serialised as undici writes them (`host` and `connection` first, `content-length` last), then the body, so the
 * upstream gets the bytes the Exchange path sends (test/proxy-fast-path.test.ts). Forwarded header lines are copied
 * from the client's bytes: no string per header, and one buffer for head and body.
 */

/** Methods undici sends a Content-Length for even without a body. */
export const expectsPayload = new Set(['PUT', 'POST', 'PATCH']);

const version = ascii(' HTTP/1.1\r\nhost: ');
const keepAlive = ascii('\r\nconnection: keep-alive\r\n');
const close = ascii('\r\nconnection: close\r\n');
const forwardedFor = ascii('X-Forwarded-For: ');
const proto = ascii('\r\nX-Forwarded-Proto: http\r\n');
const forwardedHost = ascii('X-Forwarded-Host: ');
const requestIdName = ascii('X-Request-Id: ');
const contentLength = ascii('content-length: ');

/**
 * The upstream request for `head`, parsed from `buf` (which holds the head from offset 0, then `length` body bytes).
 * `fallbackHost`: the Host sent when the client sent none (HTTP/1.0), the upstream's address as undici sends it.
 */
export function upstreamRequest(
  head: RequestHead,
  buf: Buffer,
  clientAddress: string,
  length: number,
  fallbackHost: string,
): Buffer {
  const lines = head.lines;
  let hostFrom = -1;
  let hostTo = -1;
  let forwardedForBytes = 0;
  let requestId = false;
  let kept = 0;
  for (let i = 0; i < lines.length; i += lineFields) {
    const rule = lines[i + 4];
    if (rule === RequestHeaderRule.Forward || rule === RequestHeaderRule.RequestId) {
      // "Name: value\r\n"
      kept += lines[i + 1]! - lines[i]! + lines[i + 3]! - lines[i + 2]! + 4;
      if (rule === RequestHeaderRule.RequestId) requestId = true;
    } else if (rule === RequestHeaderRule.Host) {
      hostFrom = lines[i + 2]!;
      hostTo = lines[i + 3]!;
    } else if (rule === RequestHeaderRule.ForwardedFor) forwardedForBytes += lines[i + 3]! - lines[i + 2]! + 2;
  }
  const method = head.method;
  // The request line as sent ("METHOD /target"): one space, and a target of ASCII only (request-head.ts).
  const lineLength = method.length + 1 + head.target.length;
  const hostLength = hostFrom >= 0 ? hostTo - hostFrom : fallbackHost.length;
  // undici closes the connection after a HEAD (servers that send a body anyway); it sends Content-Length only with
  // a body or on methods that expect one.
  const lengthText = length > 0 || expectsPayload.has(method) ? String(length) : '';
  const connection = method === 'HEAD' ? close : keepAlive;
  const size =
    lineLength +
    version.length +
    hostLength +
    connection.length +
    kept +
    forwardedFor.length +
    forwardedForBytes +
    clientAddress.length +
    proto.length +
    (hostFrom >= 0 ? forwardedHost.length + hostLength + 2 : 0) +
    (requestId ? 0 : requestIdName.length + requestIdLength + 2) +
    (lengthText === '' ? 0 : contentLength.length + lengthText.length + 2) +
    2 +
    length;
  const out = Buffer.allocUnsafe(size);
  let at = copyRange(buf, 0, lineLength, out, 0);
  at = copyRange(version, 0, version.length, out, at);
  at = hostFrom >= 0 ? copyRange(buf, hostFrom, hostTo, out, at) : putAscii(fallbackHost, out, at);
  at = copyRange(connection, 0, connection.length, out, at);
  for (let i = 0; i < lines.length; i += lineFields) {
    const rule = lines[i + 4];
    if (rule !== RequestHeaderRule.Forward && rule !== RequestHeaderRule.RequestId) continue;
    const colon = lines[i + 1]!;
    const vs = lines[i + 2]!;
    // Already `Name: value`: one copy.
    if (vs === colon + 2 && buf[colon + 1] === 32) at = copyRange(buf, lines[i]!, lines[i + 3]!, out, at);
    else {
      at = copyRange(buf, lines[i]!, colon, out, at);
      out[at++] = 58;
      out[at++] = 32;
      at = copyRange(buf, vs, lines[i + 3]!, out, at);
    }
    out[at++] = 13;
    out[at++] = 10;
  }
  at = copyRange(forwardedFor, 0, forwardedFor.length, out, at);
  // The client's X-Forwarded-For values in order, then its address.
  for (let i = 0; i < lines.length; i += lineFields) {
    if (lines[i + 4] !== RequestHeaderRule.ForwardedFor) continue;
    at = copyRange(buf, lines[i + 2]!, lines[i + 3]!, out, at);
    out[at++] = 44;
    out[at++] = 32;
  }
  at = putAscii(clientAddress, out, at);
  at = copyRange(proto, 0, proto.length, out, at);
  if (hostFrom >= 0) {
    at = copyRange(forwardedHost, 0, forwardedHost.length, out, at);
    at = copyRange(buf, hostFrom, hostTo, out, at);
    out[at++] = 13;
    out[at++] = 10;
  }
  if (!requestId) {
    at = copyRange(requestIdName, 0, requestIdName.length, out, at);
    at = writeRequestId(out, at);
    out[at++] = 13;
    out[at++] = 10;
  }
  if (lengthText !== '') {
    at = copyRange(contentLength, 0, contentLength.length, out, at);
    at = putAscii(lengthText, out, at);
    out[at++] = 13;
    out[at++] = 10;
  }
  out[at++] = 13;
  out[at++] = 10;
  if (length > 0) buf.copy(out, at, head.headEnd, head.headEnd + length);
  return out;
}

function ascii(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

/** Write a latin1 string (an address, an id, a number) at `at`; the offset after it. */
function putAscii(text: string, dst: Buffer, at: number): number {
  for (let i = 0; i < text.length; i++) dst[at + i] = text.charCodeAt(i);
  return at + text.length;
}
