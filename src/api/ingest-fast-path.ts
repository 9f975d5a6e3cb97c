import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuditEntry } from '../access/audit/types.js';
import type { ErrorIngest } from '../observe/errors/error-ingest.js';
import { IngestError } from '../observe/errors/ingest-error.js';
import { ingestLimits } from '../observe/errors/limits.js';
import { presentedKey } from '../observe/errors/sentry-auth.js';
import type { Logger } from '../shared/logging.js';
import { unstorableIn } from '../shared/storable-text.js';
import { clipAuditValue } from './audit-hook.js';
import type { LeaderView } from './leader-forward.js';
import type { CoordinatorMetrics } from './metrics.js';
import { ingestRefusal } from './routes/error-ingest.js';

export interface IngestFastPathDeps {
  /** The ingest; undefined until the API has built it (requests then go to Fastify). */
  ingest: () => ErrorIngest | undefined;
  metrics: CoordinatorMetrics;
  logger: Logger;
  /** Writes an audit entry; false when it could not (audit-hook.ts auditWriter). */
  audit: (entry: AuditEntry) => Promise<boolean>;
  leadership?: LeaderView;
  /** True once the API is closing: Fastify answers those requests (503). */
  closing: () => boolean;
}

/** `/api/<digits>/envelope/` or `/store/`: the routes of routes/error-ingest.ts, as Fastify matches them. */
const ingestPath = /^\/api\/(\d{1,15})\/(envelope|store)\/$/;
const sentryParams = ['sentry_key', 'sentry_version', 'sentry_client'];
const routeOf = { envelope: '/api/:projectId/envelope/', store: '/api/:projectId/store/' } as const;
const json = 'application/json; charset=utf-8';

/**
 * The Sentry ingest routes served straight from node:http, ahead of Fastify's routing, hooks, content-type parsing
 * and serialization: per event those cost more of the event loop than the ingest's own code (bench:ingest,
 * --cpu-prof). It answers exactly as the Fastify routes do — the same key check, statuses, bodies and headers,
 * denials (401/403/429) audited before the answer leaves, the same request metrics — and takes only the plain
 * case: a POST with a Content-Length within the limit or a chunked body, a numeric project id, a query whose
 * text the store can keep and with each sentry_* parameter at most once. Everything else (and every request while
 * the API closes, or on a follower, which forwards writes to the leader) goes to Fastify, which answers it as before.
 * Returns whether it took the request.
 */
export function ingestFastPath(deps: IngestFastPathDeps) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'POST') return false;
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const match = ingestPath.exec(path);
    if (!match) return false;
    const ingest = deps.ingest();
    if (!ingest || deps.closing() || (deps.leadership && !deps.leadership.isLeader())) return false;
    // A Content-Length within the limit (sentry-python), or chunked (@sentry/node): what Fastify's parser takes too.
    const declared = req.headers['content-length'];
    const coding = req.headers['transfer-encoding'];
    const chunked = coding !== undefined && declared === undefined && coding.trim().toLowerCase() === 'chunked';
    if (coding !== undefined && !chunked) return false;
    if (!chunked && (declared === undefined || !/^\d{1,9}$/.test(declared))) return false;
    const length = chunked ? 0 : Number(declared);
    if (!chunked && (length === 0 || length > ingestLimits.bodyBytes)) return false;
    const query = plainQuery(q === -1 ? '' : url.slice(q + 1));
    if (!query) return false;
    const kind = match[2] as 'envelope' | 'store';
    const started = performance.now();
    const take = (body: Buffer) => void answer(deps, ingest, req, res, match[1]!, kind, body, query, started);
    if (chunked) readChunked(req, (body) => (body ? take(body) : tooLarge(deps, res, kind, started)));
    else readExactly(req, length, take);
    return true;
  };
}

/**
 * A Content-Length body, into a buffer of its own (not a slice of Node's pool): the ingest can move it to its reader
 * thread without a copy. The HTTP parser delivers exactly that many bytes, or the request is aborted (no 'end').
 */
function readExactly(req: IncomingMessage, length: number, done: (body: Buffer) => void): void {
  const body = Buffer.allocUnsafeSlow(length);
  let received = 0;
  req.on('data', (chunk: Buffer) => {
    if (received + chunk.length > length) return void req.destroy();
    chunk.copy(body, received);
    received += chunk.length;
  });
  req.on('end', () => (received === length ? done(body) : req.destroy()));
}

/** A chunked body, up to the limit (undefined past it, as Fastify's parser stops there too). */
function readChunked(req: IncomingMessage, done: (body: Buffer | undefined) => void): void {
  const chunks: Buffer[] = [];
  let received = 0;
  const onData = (chunk: Buffer) => {
    received += chunk.length;
    if (received <= ingestLimits.bodyBytes) return void chunks.push(chunk);
    req.removeListener('data', onData);
    req.removeListener('end', onEnd);
    req.resume();
    done(undefined);
  };
  const onEnd = () => {
    const body = Buffer.allocUnsafeSlow(received);
    let at = 0;
    for (const c of chunks) at += c.copy(body, at);
    done(body);
  };
  req.on('data', onData);
  req.on('end', onEnd);
}

/** Fastify's answer to a body past the limit (FST_ERR_CTP_BODY_TOO_LARGE through the API's error handler). */
function tooLarge(deps: IngestFastPathDeps, res: ServerResponse, kind: 'envelope' | 'store', started: number): void {
  const payload = { error: { code: 'invalid_input', message: 'Request body is too large' } };
  // Fastify closes the connection too: the rest of the body is not read.
  finish(deps, res, kind, 413, payload, { connection: 'close' }, started);
}

const internal = { error: { code: 'internal', message: 'internal error (a bug; see the coordinator log)' } };

/** The query, or undefined when Fastify should judge it (a repeated sentry_* parameter, unstorable text). */
function plainQuery(text: string): URLSearchParams | undefined {
  if (text === '') return new URLSearchParams();
  const params = new URLSearchParams(text);
  for (const name of sentryParams) if (params.getAll(name).length > 1) return undefined;
  for (const [k, v] of params) if (unstorableIn(k) !== undefined || unstorableIn(v) !== undefined) return undefined;
  return params;
}

async function answer(
  deps: IngestFastPathDeps,
  ingest: ErrorIngest,
  req: IncomingMessage,
  res: ServerResponse,
  projectId: string,
  kind: 'envelope' | 'store',
  body: Buffer,
  query: URLSearchParams,
  started: number,
): Promise<void> {
  let status = 200;
  let payload: unknown;
  const headers: Record<string, string> = { 'access-control-allow-origin': '*' };
  try {
    const key = await ingest.authenticate(
      Number(projectId),
      presentedKey(req.headers['x-sentry-auth'], { sentry_key: query.get('sentry_key') ?? undefined }),
    );
    // As the Fastify route: the key first, then the body (a chunked one may be empty).
    if (body.length === 0)
      throw new IngestError(400, `empty body: expected ${kind === 'store' ? 'an event' : 'an envelope'}`);
    const id = await ingest.ingest(key, body, req.headers['content-encoding'], kind, { movable: true });
    payload = id ? { id } : {};
  } catch (e) {
    if (!(e instanceof IngestError)) {
      // As the API's error handler answers it; logged with the path only (the query may hold the DSN key).
      deps.logger.error({ err: e, url: req.url?.split('?')[0] }, 'unhandled error');
      status = 500;
      payload = internal;
      return finish(deps, res, kind, status, payload, headers, started);
    }
    status = e.status;
    payload = ingestRefusal(e);
    if (e.retryAfter !== undefined) headers['retry-after'] = String(e.retryAfter);
    // Denials are audited as the onSend hook audits them (audit-hook.ts), before the answer leaves.
    if (status === 401 || status === 403 || status === 429) {
      const written = await deps.audit({
        actor: 'anonymous',
        action: 'errors.ingest',
        target: `projectId=${clipAuditValue(projectId)}`,
        source: req.socket.remoteAddress || 'unknown',
        outcome: 'denied',
        status,
        after: { refused: clipAuditValue(e.message) },
      });
      if (!written) headers['slipway-audit'] = 'failed';
    }
  }
  finish(deps, res, kind, status, payload, headers, started);
}

function finish(
  deps: IngestFastPathDeps,
  res: ServerResponse,
  kind: 'envelope' | 'store',
  status: number,
  payload: unknown,
  headers: Record<string, string>,
  started: number,
): void {
  send(res, status, payload, headers);
  const route = routeOf[kind];
  deps.metrics.requests.inc({ method: 'POST', route, status: String(status) });
  deps.metrics.duration.observe({ method: 'POST', route }, (performance.now() - started) / 1000);
}

function send(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string>): void {
  const text = JSON.stringify(payload);
  res.writeHead(status, { ...headers, 'content-type': json, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
