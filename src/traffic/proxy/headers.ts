import { isHopByHop, RequestHeaderRule, requestHeaderRule } from './header-rules.js';
import { nextRequestId } from './request-id.js';

/**
 * Header rewriting between client and upstream. Works on Node's flat rawHeaders arrays
 * ([name, value, name, value, ...]) so names keep their case and repeated headers survive.
 */

/** Framing argument meaning "no Content-Length": no body, or one of unknown length (the client then frames it as
 * chunked). */
export const noBody = -1;

/** Headers a Connection header names (besides keep-alive/close): those are hop-by-hop too. */
export function connectionNamed(raw: readonly (string | Buffer)[]): string[] | undefined {
  let named: string[] | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length !== 10 || name.toString('latin1').toLowerCase() !== 'connection') continue;
    for (const token of raw[i + 1]!.toString('latin1').split(',')) {
      const t = token.trim().toLowerCase();
      if (t !== '' && t !== 'close' && t !== 'keep-alive') {
        named ??= [];
        named.push(t);
      }
    }
  }
  return named;
}

/**
 * The headers sent upstream: the client's minus hop-by-hop and framing headers, plus
 * X-Forwarded-For (appended), X-Forwarded-Proto, X-Forwarded-Host, X-Request-Id (if absent)
 * and the Content-Length of the body actually sent (`framing`: a length or noBody).
 */
export function upstreamRequestHeaders(raw: readonly string[], clientAddress: string, framing: number): string[] {
  const named = connectionNamed(raw);
  const out: string[] = [];
  let forwardedFor: string | undefined;
  let host: string | undefined;
  let requestId = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    switch (requestHeaderRule(name.toLowerCase(), named)) {
      case RequestHeaderRule.Host:
        host = value;
        break;
      case RequestHeaderRule.ForwardedFor:
        forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
        continue;
      case RequestHeaderRule.RequestId:
        requestId = true;
        break;
      case RequestHeaderRule.Drop:
        continue;
    }
    out.push(name, value);
  }
  out.push(
    'X-Forwarded-For',
    forwardedFor === undefined ? clientAddress : `${forwardedFor}, ${clientAddress}`,
    'X-Forwarded-Proto',
    'http',
  );
  if (host !== undefined) out.push('X-Forwarded-Host', host);
  if (!requestId) out.push('X-Request-Id', nextRequestId());
  if (framing >= 0) out.push('Content-Length', String(framing));
  return out;
}

/**
 * The headers sent to the client: the upstream's (undici gives raw Buffers; latin1 keeps every
 * byte) minus hop-by-hop and Transfer-Encoding (Node frames the body itself), plus an optional Set-Cookie.
 */
export function clientResponseHeaders(raw: readonly (string | Buffer)[], setCookie: string | undefined): string[] {
  const named = connectionNamed(raw);
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1');
    const lower = name.toLowerCase();
    if (lower === 'transfer-encoding' || isHopByHop(lower, named)) continue;
    out.push(name, raw[i + 1]!.toString('latin1'));
  }
  if (setCookie !== undefined) out.push('Set-Cookie', setCookie);
  return out;
}

/** "::ffff:10.0.0.1" → "10.0.0.1": IPv4 clients of a dual-stack listener read as IPv4. */
export function clientAddressOf(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined) return 'unknown';
  return remoteAddress.startsWith('::ffff:') ? remoteAddress.slice(7) : remoteAddress;
}

const releaseCookieName = 'slipway-release=';

/** The value of the `slipway-release` cookie in a Cookie header, if any. */
export function readReleaseCookie(cookie: string | undefined): string | undefined {
  if (cookie === undefined) return undefined;
  let i = cookie.indexOf(releaseCookieName);
  while (i > 0) {
    const before = cookie.charCodeAt(i - 1);
    if (before === 32 /* space */ || before === 59 /* ; */) break;
    i = cookie.indexOf(releaseCookieName, i + 1);
  }
  if (i < 0) return undefined;
  const start = i + releaseCookieName.length;
  const end = cookie.indexOf(';', start);
  const raw = cookie.slice(start, end < 0 ? cookie.length : end).trim();
  try {
    return raw === '' ? undefined : decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/** The Set-Cookie value that pins a client to a release. */
export function releaseCookie(release: string): string {
  return `${releaseCookieName}${encodeURIComponent(release)}; Path=/; HttpOnly; SameSite=Lax`;
}
