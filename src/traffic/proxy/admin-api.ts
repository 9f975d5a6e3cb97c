import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { httpStatusOf, isSlipwayError, messageOf } from '../../shared/errors.js';
import type { Logger } from '../../shared/logging.js';
import { formatHostPort, type HostPort } from './address.js';
import { bearerChecker } from './admin-token.js';
import { ProxyError } from './errors.js';
import type { Plane } from './plane.js';
import { parseEnvironmentRoutes } from './route-schema.js';

/** Route tables are small; anything bigger is a mistake, not a table. */
const maxBodyBytes = 1024 * 1024;

/** The running admin server. */
export interface AdminServer {
  /** host:port it listens on. */
  address: string;
  close(): Promise<void>;
}

/**
 * The proxy's admin API on a loopback address. Every route except GET /healthz needs
 * `Authorization: Bearer <token>`. Not the hot path: plain node:http and a switch.
 */
export async function startAdminServer(options: {
  address: HostPort;
  token: string;
  dataPlane: Plane;
  logger: Logger;
}): Promise<AdminServer> {
  const { dataPlane, logger } = options;
  const authorized = bearerChecker(options.token);
  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!isSlipwayError(e)) logger.error({ err: e, method: req.method, url: req.url }, 'admin API bug');
      sendError(res, e);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://admin');
    const method = req.method ?? 'GET';
    if (url.pathname === '/healthz' && method === 'GET')
      return sendJson(res, 200, {
        ok: true,
        startedAt: dataPlane.startedAt,
        pid: process.pid,
        workers: dataPlane.workerPids?.() ?? [],
      });
    if (!authorized(req.headers.authorization)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      throw new ProxyError(
        'unauthorized',
        'missing or wrong admin token (Authorization: Bearer <token>, see <stateDir>/admin-token)',
      );
    }
    const envMatch = /^\/routes\/([^/]+)$/.exec(url.pathname);
    if (envMatch) {
      const environment = decodeSegment(envMatch[1]!);
      if (method === 'PUT') {
        const routes = parseEnvironmentRoutes(await readJson(req), `PUT /routes/${environment}`);
        if (routes.environment !== environment) {
          throw new ProxyError(
            'invalid_input',
            `PUT /routes/${environment}: body environment "${routes.environment}" does not match the URL`,
            { issues: [{ path: 'environment', message: 'must match the URL' }] },
          );
        }
        await dataPlane.apply(routes);
        return sendJson(res, 200, { ok: true, environment, listen: routes.listen });
      }
      if (method === 'DELETE')
        return sendJson(res, 200, { ok: true, environment, removed: await dataPlane.remove(environment) });
      return notAllowed(res, 'PUT, DELETE');
    }
    if (method !== 'GET') return notAllowed(res, 'GET');
    switch (url.pathname) {
      case '/routes':
        return sendJson(res, 200, dataPlane.routes());
      case '/upstreams':
        return sendJson(res, 200, await dataPlane.upstreams());
      case '/stats':
        return sendJson(res, 200, await dataPlane.stats());
      case '/samples':
      case '/rum': {
        const environment = requiredParam(url, 'environment');
        const service = requiredParam(url, 'service');
        const after = url.searchParams.get('after') ?? '0';
        if (!/^\d+$/.test(after))
          throw new ProxyError('invalid_input', `GET ${url.pathname}: after must be a whole number, got "${after}"`);
        const n = Number(after);
        const page =
          url.pathname === '/rum' ? dataPlane.rum(environment, service, n) : dataPlane.samples(environment, service, n);
        return sendJson(res, 200, await page);
      }
      case '/metrics': {
        const text = await dataPlane.metrics();
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
        res.end(text);
        return;
      }
      default:
        throw new ProxyError('not_found', `no admin route ${method} ${url.pathname}`);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const where = `admin address ${formatHostPort(options.address)}`;
      reject(
        err.code === 'EADDRINUSE'
          ? new ProxyError('conflict', `${where} is already in use (is another Slipway proxy running?)`, {
              admin: formatHostPort(options.address),
            })
          : new ProxyError('unavailable', `${where} could not be opened: ${err.message}`),
      );
    });
    server.listen({ host: options.address.host, port: options.address.port, exclusive: true }, resolve);
  });
  return {
    address: formatHostPort(options.address),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

function sendError(res: ServerResponse, e: unknown): void {
  if (res.headersSent) return void res.destroy();
  const error = isSlipwayError(e)
    ? e
    : new ProxyError('internal', `internal error in the proxy admin API: ${messageOf(e)}`);
  sendJson(res, httpStatusOf(error.code), {
    error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) },
  });
}

function notAllowed(res: ServerResponse, allow: string): void {
  res.setHeader('Allow', allow);
  sendJson(res, 405, { error: { code: 'invalid_input', message: `method not allowed here; use ${allow}` } });
}

function requiredParam(url: URL, name: string): string {
  const value = url.searchParams.get(name);
  if (!value) throw new ProxyError('invalid_input', `GET ${url.pathname}: query parameter "${name}" is required`);
  return value;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ProxyError('invalid_input', `environment "${segment}" in the URL is not valid percent-encoding`);
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) throw new ProxyError('invalid_input', `request body is larger than ${maxBodyBytes} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (e) {
    throw new ProxyError('invalid_input', `request body is not valid JSON: ${messageOf(e)}`);
  }
}
