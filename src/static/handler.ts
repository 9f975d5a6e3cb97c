/**
 * One request to a static release: health, method, path, lookup (own build → SPA fallback →
 * earlier releases for assets), then the response with its caching, encoding and range rules.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { releaseCookie } from '../traffic/proxy/headers.js';
import { cacheControlFor } from './cache-policy.js';
import type { FileBodies, Variant } from './file-bodies.js';
import {
  chooseEncoding,
  chooseRange,
  type Encoding,
  ifRangeAllows,
  matchesIfNoneMatch,
  type RangeChoice,
} from './negotiation.js';
import { healthPath } from './health-path.js';
import { hasExtension, requestPath } from './request-path.js';
import type { Found, Site } from './site.js';

export interface HandlerOptions {
  site: Site;
  bodies: FileBodies;
  /** The route's path prefix (`/`, `/app`): requests arrive with it. */
  base: string;
  /** Paths without a file extension that name no file get index.html (client-side routing). */
  spa: boolean;
  /** Told about files that vanished from the store (a bug or a hand edit): the answer is a 500. */
  onError: (message: string) => void;
}

/** A request listener for node:http serving `options.site`. */
export function staticHandler(options: HandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(options, req, res).catch((e: unknown) => {
      options.onError(`${req.method} ${req.url}: ${(e as Error).message}`);
      if (!res.headersSent) plain(res, 500, 'the file could not be read from the static store');
      else res.destroy();
    });
  };
}

async function handle(options: HandlerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { site } = options;
  // Browsers must take the declared type, never guess one (a text/plain 404 echoing the path stays text).
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return plain(res, 405, `${req.method} is not allowed: this is a static site (GET, HEAD)`);
  }
  if (req.url === healthPath) {
    const body = JSON.stringify({ ok: true, release: site.current.version, tree: site.current.manifest.tree });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
    return;
  }
  const target = requestPath(req.url ?? '/', options.base);
  if (!target.ok) return plain(res, target.status, target.reason);
  const found = await lookup(options, target.file, target.directory);
  if (!found) return plain(res, 404, `not found: ${target.file}`);
  await send(options, req, res, found);
}

async function lookup(options: HandlerOptions, file: string, directory: boolean): Promise<Found | undefined> {
  const own = options.site.own(file);
  if (own) return own;
  // `/quotes/42` and `/quotes/` are the app's own routes; `/missing.css` is a missing file.
  if (options.spa && (directory || !hasExtension(file))) return options.site.own('index.html');
  if (isPage(file)) return undefined;
  return options.site.earlierOwner(file);
}

/** A page must come from the release serving it: an old index.html would load old code against a new backend. */
function isPage(file: string): boolean {
  return /\.html?$/i.test(file);
}

async function send(options: HandlerOptions, req: IncomingMessage, res: ServerResponse, found: Found): Promise<void> {
  const { entry, release, file } = found;
  const available: Encoding[] = [...(entry.br ? (['br'] as const) : []), ...(entry.gzip ? (['gzip'] as const) : [])];
  const rangeHeader = req.headers.range;
  // Ranges are of the file as built: a client resuming a download must get the same bytes each time.
  const encoding = rangeHeader === undefined ? chooseEncoding(req.headers['accept-encoding'], available) : undefined;
  const etag = `"${entry.sha256.slice(0, 40)}${encoding === 'br' ? '-br' : encoding === 'gzip' ? '-gz' : ''}"`;
  res.setHeader('Content-Type', entry.contentType);
  res.setHeader('Cache-Control', cacheControlFor(file));
  res.setHeader('ETag', etag);
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('X-Slipway-Static-Release', release.version);
  if (available.length > 0) res.setHeader('Vary', 'Accept-Encoding');
  // The page pins the client to its release, so its API calls reach the backend release it was built with.
  if (isPage(file)) res.setHeader('Set-Cookie', releaseCookie(options.site.current.version));
  if (matchesIfNoneMatch(req.headers['if-none-match'], etag)) {
    res.writeHead(304);
    res.end();
    return;
  }
  const variant: Variant = encoding ?? 'files';
  const size = encoding === undefined ? entry.size : entry[encoding]!;
  if (encoding) res.setHeader('Content-Encoding', encoding);
  const ifRange = req.headers['if-range'];
  const range: RangeChoice = ifRangeAllows(typeof ifRange === 'string' ? ifRange : undefined, etag)
    ? chooseRange(rangeHeader, size)
    : { kind: 'full' };
  if (range.kind === 'unsatisfiable') {
    res.setHeader('Content-Range', `bytes */${size}`);
    return plain(res, 416, `range not satisfiable: the file has ${size} bytes`);
  }
  const [status, start, end]: [number, number, number] =
    range.kind === 'partial' ? [206, range.start, range.end] : [200, 0, size - 1];
  if (status === 206) res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
  res.setHeader('Content-Length', end - start + 1);
  if (req.method === 'HEAD' || size === 0) {
    res.writeHead(status);
    res.end();
    return;
  }
  const whole = await options.bodies.whole(release.dir, variant, file, size);
  res.writeHead(status);
  if (whole) {
    res.end(status === 206 ? whole.subarray(start, end + 1) : whole);
    return;
  }
  const stream = options.bodies.stream(release.dir, variant, file, start, end);
  stream.on('error', (e) => {
    options.onError(`${req.method} ${req.url}: ${e.message}`);
    res.destroy();
  });
  stream.pipe(res);
}

function plain(res: ServerResponse, status: number, message: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.removeHeader('ETag');
  res.removeHeader('Content-Encoding');
  res.end(`${message}\n`);
}
