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
