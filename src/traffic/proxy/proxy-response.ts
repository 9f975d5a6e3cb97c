import type { IncomingMessage, ServerResponse } from 'node:http';

/** Why the proxy answered a request itself. */
export type ProxyFailure =
  | 'no_route'
  | 'no_upstream'
  | 'upstream_failed'
  | 'upstream_timeout'
  | 'upgrade_unsupported'
  | 'bad_request'
  | 'too_large'
  | 'rate_limited'
  | 'internal';

/** Short text body (JSON when the client accepts it) naming what failed; the code is also in X-Slipway-Proxy-Error. */
export function sendProxyResponse(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  failure: ProxyFailure,
  message: string,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const { contentType, body } = proxyErrorBody(req.headers.accept, failure, message);
  res.writeHead(status, [
    'Content-Type',
    contentType,
    'Content-Length',
    String(Buffer.byteLength(body)),
    'Cache-Control',
    'no-store',
    'X-Content-Type-Options',
    'nosniff',
    'X-Slipway-Proxy-Error',
    failure,
  ]);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** The body of the proxy's own answer: JSON when the client accepts it, else a line of text. */
export function proxyErrorBody(
  accept: string | undefined,
  failure: ProxyFailure,
  message: string,
): { contentType: string; body: string } {
  return accept?.includes('application/json') === true
    ? { contentType: 'application/json; charset=utf-8', body: JSON.stringify({ error: { code: failure, message } }) }
    : { contentType: 'text/plain; charset=utf-8', body: `slipway proxy: ${message}\n` };
}

/** The raw response for protocol upgrades and CONNECT, which never reach the request handler. */
export function rawNotImplemented(message: string): string {
  const body = `slipway proxy: ${message}\n`;
  return (
    `HTTP/1.1 501 Not Implemented\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ` +
    `${Buffer.byteLength(body)}\r\nConnection: close\r\nX-Slipway-Proxy-Error: upgrade_unsupported\r\n\r\n${body}`
  );
}

/** The path of a request URL without its query (queries may hold secrets; keep them out of messages). */
export function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
