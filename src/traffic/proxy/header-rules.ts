import { lowerIs } from './header-names.js';

/**
 * Which headers cross the proxy, in one place for both paths: headers.ts (node:http, the Exchange path) and the fast
 * path's byte-level heads (http-head.ts, fast-request.ts, fast-response.ts), so the two cannot drift apart.
 * test/proxy-fast-path.test.ts and fast-request.test.ts check that both send the same bytes.
 */

/** Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection and are never forwarded, either way. */
export const hopByHopNames = [
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'upgrade',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
] as const;

/** Any header named proxy-* is hop-by-hop too. */
export const hopByHopPrefix = 'proxy-';

/** What happens to a request header on its way upstream. */
export const RequestHeaderRule = {
  /** Sent as it is. */
  Forward: 0,
  /** Not sent. */
  Drop: 1,
  /** Sent first (as undici does), and repeated in X-Forwarded-Host. */
  Host: 2,
  /** Its values start the X-Forwarded-For list, which ends with the client's address. */
  ForwardedFor: 3,
  /** Sent as it is; the proxy then adds no X-Request-Id of its own. */
  RequestId: 4,
} as const;
export type RequestHeaderRule = (typeof RequestHeaderRule)[keyof typeof RequestHeaderRule];

/**
 * Request headers (lower case) that are not simply forwarded: hop-by-hop ones; X-Forwarded-Proto and -Host, which the
 * proxy sets itself; Content-Length and Transfer-Encoding, since the proxy frames the body it sends; Expect, since
 * the client's 100-continue was answered here already.
 */
export const requestHeaderRules: ReadonlyMap<string, RequestHeaderRule> = new Map<string, RequestHeaderRule>([
  ...hopByHopNames.map((name) => [name, RequestHeaderRule.Drop] as const),
  ['x-forwarded-proto', RequestHeaderRule.Drop],
  ['x-forwarded-host', RequestHeaderRule.Drop],
  ['content-length', RequestHeaderRule.Drop],
  ['transfer-encoding', RequestHeaderRule.Drop],
  ['expect', RequestHeaderRule.Drop],
  ['host', RequestHeaderRule.Host],
  ['x-forwarded-for', RequestHeaderRule.ForwardedFor],
  ['x-request-id', RequestHeaderRule.RequestId],
]);

const hopByHopSet: ReadonlySet<string> = new Set(hopByHopNames);

/** True when a (lowercase) header name must not cross the proxy: hop-by-hop, or named by the Connection header. */
export function isHopByHop(lower: string, named: readonly string[] | undefined): boolean {
  return hopByHopSet.has(lower) || lower.startsWith(hopByHopPrefix) || named?.includes(lower) === true;
}

/** The rule for a request header (lower-case name); `named`: the names its Connection header lists. */
export function requestHeaderRule(lower: string, named: readonly string[] | undefined): RequestHeaderRule {
  const rule = requestHeaderRules.get(lower);
  if (rule !== undefined) return rule;
  return lower.startsWith(hopByHopPrefix) || named?.includes(lower) === true
    ? RequestHeaderRule.Drop
    : RequestHeaderRule.Forward;
}

/** What a Connection header's value says, as bits: the usual values then need no string. */
export const ConnectionToken = {
  Close: 1,
  KeepAlive: 2,
  /** The request asks to switch protocols: not for the fast paths. */
  Upgrade: 4,
  /** It names other headers, which are hop-by-hop too: connectionNames() lists them. */
  Named: 8,
} as const;

/** The ConnectionToken bits of one Connection header value, buf[vs, ve): no allocation for "keep-alive" or "close". */
export function connectionBits(buf: Buffer, vs: number, ve: number): number {
  const n = ve - vs;
  if (n === 10 && lowerIs(buf, vs, 'keep-alive')) return ConnectionToken.KeepAlive;
  if (n === 5 && lowerIs(buf, vs, 'close')) return ConnectionToken.Close;
  let bits = 0;
  for (const token of buf.toString('latin1', vs, ve).split(',')) {
    const t = token.trim().toLowerCase();
    if (t === 'close') bits |= ConnectionToken.Close;
    else if (t === 'keep-alive') bits |= ConnectionToken.KeepAlive;
    else if (t !== '')
      bits |= t === 'upgrade' ? ConnectionToken.Upgrade | ConnectionToken.Named : ConnectionToken.Named;
  }
  return bits;
}

/** The header names (lower case) one Connection header value lists besides close and keep-alive ("upgrade" too). */
export function connectionNames(buf: Buffer, vs: number, ve: number): string[] {
  const names: string[] = [];
  for (const token of buf.toString('latin1', vs, ve).split(',')) {
    const t = token.trim().toLowerCase();
    if (t !== '' && t !== 'close' && t !== 'keep-alive') names.push(t);
  }
  return names;
}
