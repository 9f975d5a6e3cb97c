import type { IncomingMessage, ServerResponse } from 'node:http';
import { Exchange, type ForwardOptions } from './exchange.js';
import { readReleaseCookie } from './headers.js';
import { pathOf, sendProxyResponse } from './proxy-response.js';
import { chooseReleaseSet } from './release-choice.js';
import { isRumPath } from './rum-intake.js';
import { matchRoute, type CompiledTable } from './route-table.js';

/**
 * The hot path: route a request of one environment's listener and hand it to an Exchange,
 * or answer it directly (404 no route, 501 upgrade, 503 no available instance, RUM beacons).
 */
export function proxyRequest(
  table: CompiledTable,
  req: IncomingMessage,
  res: ServerResponse,
  options: ForwardOptions,
): void {
  let url = req.url ?? '/';
  if (url.charCodeAt(0) !== 47 /* / */) {
    const path = originForm(url);
    if (path === undefined) {
      sendProxyResponse(req, res, 400, 'bad_request', 'request target is not a path or an absolute http URL');
      return;
    }
    url = path;
    req.url = path;
  }
  const route = matchRoute(table, req.headers.host, url);
  if (route === undefined) {
    sendProxyResponse(
      req,
      res,
      404,
      'no_route',
      `no service routes ${pathOf(url)} in environment "${table.environment}"`,
    );
    return;
  }
  if (options.rum !== undefined && isRumPath(url)) {
    options.rum.handle(table.environment, route, req, res);
    return;
  }
  const upgrade = req.headers.upgrade;
  if (upgrade !== undefined && /websocket/i.test(upgrade)) {
    const message = `WebSocket upgrades are not supported by the built-in proxy (service "${route.service}")`;
    sendProxyResponse(req, res, 501, 'upgrade_unsupported', message);
    return;
  }
  const now = Date.now();
  const header = req.headers['x-slipway-release'];
  const target = typeof header === 'string' ? header.trim() : undefined;
  const cookie = target === undefined ? readReleaseCookie(req.headers.cookie) : undefined;
  const set = chooseReleaseSet(route, now, target ?? cookie);
  const upstream = set?.pickUpstream(now);
  if (set === undefined || upstream === undefined) {
    route.blameSet?.recorder.record(503, 0, true, now);
    const message = `no healthy instance of service "${route.service}" in environment "${table.environment}"`;
    sendProxyResponse(req, res, 503, 'no_upstream', message);
    return;
  }
  // Sticky routes remember the release in a cookie unless the request named one in the header.
  const stickyCookie = route.sticky && target === undefined ? (cookie ?? '') : null;
  new Exchange(req, res, table, route, set, upstream, stickyCookie, options).start();
}

/** Absolute-form targets ("http://host/path", from clients that think we are a forward proxy) → "/path". */
function originForm(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' ? parsed.pathname + parsed.search : undefined;
  } catch {
    return undefined;
  }
}
