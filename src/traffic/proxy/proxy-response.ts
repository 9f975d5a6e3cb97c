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
  const wantsJson = req.headers.accept?.includes('application/json') === true;
  const body = wantsJson ? JSON.stringify({ error: { code: failure, message } }) : `slipway proxy: ${message}\n`;
  res.writeHead(status, [
    'Content-Type',
    wantsJson ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8',
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
