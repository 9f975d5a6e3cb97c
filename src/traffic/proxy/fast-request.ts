import { isHopByHop } from './headers.js';
import type { RequestHead } from './http-head.js';
import { nextRequestId } from './request-id.js';

/**
 * The request head the fast path sends upstream, in one pass over the client's headers: the headers headers.ts's
 * upstreamRequestHeaders keeps and adds, serialised as undici writes them (`host` and `connection` first,
 * `content-length` last), so the upstream gets the bytes the Exchange path sends (test/proxy-fast-path.test.ts).
 * One pass rather than a filtered array and a second loop over it: this runs for every request.
 */

/** Methods undici sends a Content-Length for even without a body. */
export const expectsPayload = new Set(['PUT', 'POST', 'PATCH']);

/**
 * Lengths of the header names this pass must compare in lower case: host (4), expect (6), te (2), trailer and
 * upgrade (7), connection and keep-alive (10), x-request-id (12), content-length (14), x-forwarded-for (15),
 * x-forwarded-host and proxy-connection (16), x-forwarded-proto and transfer-encoding (17); proxy-* names are
 * caught by their first letter. Any other name is kept without building its lower-case copy.
 */
const watchedLengths = (1 << 2) | (1 << 4) | (1 << 6) | (1 << 7) | (1 << 10) | (1 << 12) | (1 << 14) | (1 << 15);
const watchedLengthsHigh = (1 << (16 - 16)) | (1 << (17 - 16));

function watched(name: string, named: boolean): boolean {
  if (named) return true;
  const n = name.length;
  const first = name.charCodeAt(0);
  if (first === 112 /* p */ || first === 80 /* P */) return true;
  if (n < 16) return (watchedLengths & (1 << n)) !== 0;
  return n < 18 && (watchedLengthsHigh & (1 << (n - 16))) !== 0;
}

/**
 * The upstream request head for `head` with a body of `length` bytes (`head.contentLength < 0`: none announced).
 * `fallbackHost`: the Host sent when the client sent none (HTTP/1.0), the upstream's address as undici sends it.
 */
export function upstreamRequestText(
  head: RequestHead,
  clientAddress: string,
  length: number,
  fallbackHost: string,
): string {
  const raw = head.raw;
  const named = head.connectionNamed;
  let host: string | undefined;
  let forwardedFor: string | undefined;
  let requestId = false;
  let text = '';
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    if (!watched(name, named !== undefined)) {
      text += `${name}: ${value}\r\n`;
      continue;
    }
    const lower = name.toLowerCase();
    switch (lower) {
      case 'host':
        // Sent first, as undici does; X-Forwarded-Host repeats it.
        host = value;
        continue;
      case 'x-forwarded-for':
        forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
        continue;
      case 'x-forwarded-proto':
      case 'x-forwarded-host':
      case 'content-length':
      case 'transfer-encoding':
      case 'expect':
        continue;
      case 'x-request-id':
        requestId = true;
        break;
      default:
        if (isHopByHop(lower, named)) continue;
    }
    text += `${name}: ${value}\r\n`;
  }
  text += `X-Forwarded-For: ${forwardedFor === undefined ? clientAddress : `${forwardedFor}, ${clientAddress}`}\r\n`;
  text += 'X-Forwarded-Proto: http\r\n';
  if (host !== undefined) text += `X-Forwarded-Host: ${host}\r\n`;
  if (!requestId) text += `X-Request-Id: ${nextRequestId()}\r\n`;
  const method = head.method;
  // undici closes the connection after a HEAD (servers that send a body anyway); it sends Content-Length only with
  // a body or on methods that expect one.
  const withLength = length > 0 || expectsPayload.has(method);
  return (
    `${method} ${head.target} HTTP/1.1\r\nhost: ${host ?? fallbackHost}\r\n` +
    `connection: ${method === 'HEAD' ? 'close' : 'keep-alive'}\r\n${text}` +
    `${withLength ? `content-length: ${length}\r\n` : ''}\r\n`
  );
}
