import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseBeacon, rumPathSuffix } from '../../src/traffic/proxy/rum-intake.js';

/**
 * A tiny stand-in for the proxy, for tests of the quote page: serves a Vite dist/ (index.html for
 * `/`), forwards /api/* to a backend, and records the RUM beacons (POST /.slipway/rum) it receives,
 * refusing (400) any the proxy's intake would refuse.
 */
export interface StaticSite {
  url: string;
  beacons: Record<string, unknown>[];
  /** Every request it answered, as "METHOD /path STATUS". */
  log: string[];
  close(): Promise<void>;
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

export async function startStaticSite(dist: string, backendUrl: string): Promise<StaticSite> {
  const beacons: Record<string, unknown>[] = [];
  const log: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    res.on('finish', () => log.push(`${req.method} ${url.pathname} ${res.statusCode}`));
    if (url.pathname === rumPathSuffix && req.method === 'POST') {
      let body = '';
      req.setEncoding('utf8').on('data', (c: string) => (body += c));
      req.on('end', () => {
        if (typeof parseBeacon(body) === 'string') {
          log.push(`bad beacon: ${body}`);
          res.writeHead(400).end();
          return;
        }
        beacons.push(JSON.parse(body));
        res.writeHead(204).end();
      });
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      const upstream = request(`${backendUrl}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
      return;
    }
    // Only files inside dist/: normalize, then refuse anything that climbs out of it.
    const file = path.join(dist, path.normalize(url.pathname === '/' ? '/index.html' : url.pathname));
    if (!file.startsWith(dist + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    beacons,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
