import { STATUS_CODES } from 'node:http';
import { isHopByHop } from './headers.js';
import type { RequestHead, ResponseHead } from './http-head.js';
import { proxyErrorBody, type ProxyFailure } from './proxy-response.js';

/**
 * Response heads written by the fast path, byte for byte what node:http's ServerResponse writes for the same
 * response on the Exchange path (Date, Connection / Keep-Alive and framing headers added in its order and by its
 * rules), so a client cannot tell the two paths apart. fast-response.test.ts compares them with node:http.
 */

/** node:http's keepAliveTimeout (5 s), announced in Keep-Alive and applied to idle fast-path connections. */
export const keepAliveTimeoutMs = 5_000;
const keepAliveHeaders = `Connection: keep-alive\r\nKeep-Alive: timeout=${keepAliveTimeoutMs / 1000}\r\n`;

let dateSecond = -1;
let dateHeader = '';

/** "Date: <IMF-fixdate>\r\n", rebuilt once a second as node:http does. */
export function dateLine(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateHeader = `Date: ${new Date(second * 1000).toUTCString()}\r\n`;
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
  readonly text: string;
  readonly framing: ClientFraming;
  /** The connection closes after this response (Connection: close). */
  readonly last: boolean;
}

/**
 * Lengths of the response header names clientHead must compare in lower case: te (2), date (4), trailer and upgrade
 * (7), connection and keep-alive (10), content-length (14), proxy-connection (16), transfer-encoding (17); proxy-*
 * names are caught by their first letter. Any other name passes without building its lower-case copy.
 */
const watchedLengths = (1 << 2) | (1 << 4) | (1 << 7) | (1 << 10) | (1 << 14) | (1 << 16) | (1 << 17);

/**
 * The client's head for an upstream response: headers.ts's clientResponseHeaders (hop-by-hop and Transfer-Encoding
 * dropped, the sticky Set-Cookie added), then node's additions, in one pass over the upstream's headers.
 */
export function clientHead(request: RequestHead, response: ResponseHead, setCookie: string | undefined): ClientHead {
  const raw = response.raw;
  const named = response.connectionNamed;
  let text = `HTTP/1.1 ${response.status} ${response.reason}\r\n`;
  let hasLength = false;
  let hasDate = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const n = name.length;
    const first = name.charCodeAt(0);
    if (
      named !== undefined ||
      first === 112 /* p */ ||
      first === 80 /* P */ ||
      (n < 18 && (watchedLengths & (1 << n)) !== 0)
    ) {
      const lower = name.toLowerCase();
      if (lower === 'transfer-encoding' || isHopByHop(lower, named)) continue;
      if (lower === 'content-length') hasLength = true;
      else if (lower === 'date') hasDate = true;
    }
    text += `${name}: ${raw[i + 1]!}\r\n`;
  }
  if (setCookie !== undefined) text += `Set-Cookie: ${setCookie}\r\n`;
  if (!hasDate) text += dateLine();
  const status = response.status;
  const hasBody = request.method !== 'HEAD' && status !== 204 && status !== 304 && status >= 200;
  // An HTTP/1.0 client gets no chunked body (node's useChunkedEncodingByDefault is false for it).
  const chunkedByDefault = request.minor === 1;
  let last = false;
  if (request.keepAlive && (hasLength || chunkedByDefault)) text += keepAliveHeaders;
  else {
    last = true;
    text += 'Connection: close\r\n';
  }
  let framing: ClientFraming = ClientFraming.Length;
  if (!hasBody) framing = ClientFraming.None;
  else if (!hasLength) {
    if (chunkedByDefault) {
      text += 'Transfer-Encoding: chunked\r\n';
      framing = ClientFraming.Chunked;
    } else {
      last = true;
      framing = ClientFraming.Close;
    }
  }
  return { text: `${text}\r\n`, framing, last };
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
