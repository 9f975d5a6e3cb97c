import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendProxyResponse } from './proxy-response.js';
import { defaultRumLimits, type RumLimits } from './rum-limits.js';
import type { CompiledRoute } from './route-table.js';
import { type RumName, rumNames, type RumSink, viewHash } from './rum-samples.js';

/**
 * Real User Monitoring intake, answered by the proxy itself.
 *
 * Why here and not in the backend or the coordinator: the page's beacon must reach Slipway even
 * when the coordinator is down or the backend is the thing failing, and the proxy already is the
 * one process that sees every browser, knows which releases a route serves right now and keeps
 * per-release samples for the canary judge (GET /samples). So a POST to a path ending in
 * `/.slipway/rum` is never forwarded: the route it matches (the frontend's, since the page
 * sends it relative to itself) names the service, the beacon's `release` must be one of that
 * route's live releases (anything else is ignored, so a stale tab or a forged release cannot
 * create rings), and the sample joins a ring read through the admin API's GET /rum.
 *
 * Bounded: bodies over 8 KiB are refused (413) before they are read, and each environment takes
 * at most `ratePerSecond` beacons (a token bucket, `burst` deep); above it 429, nothing kept.
 */
export const rumPathSuffix = '/.slipway/rum';
export const maxBeaconBytes = 8 * 1024;

/** A beacon as the page sends it: `{ release, name, value, id?, page? }`. */
export interface Beacon {
  release: string;
  name: RumName;
  value: number;
  /** viewHash(id): on errors, the page view's id, so a page that throws many times counts once. */
  view: number;
}

/** Is this request a RUM beacon (path only; the query is ignored)? */
export function isRumPath(url: string): boolean {
  const q = url.indexOf('?');
  return (q < 0 ? url : url.slice(0, q)).endsWith(rumPathSuffix);
}

/** A token bucket: `take()` is false when the environment is over its rate. */
class Bucket {
  private tokens: number;
  private at: number;
  constructor(
    private readonly limits: RumLimits,
    now: number,
  ) {
    this.tokens = limits.burst;
    this.at = now;
  }
  take(now: number): boolean {
    this.tokens = Math.min(this.limits.burst, this.tokens + ((now - this.at) / 1000) * this.limits.ratePerSecond);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }
}

/** The proxy's RUM intake: limits, rate buckets per environment, and where samples go. */
export class RumIntake {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly registry: RumSink,
    private readonly limits: RumLimits = defaultRumLimits,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Answer one beacon request of `environment` that matched `route`. */
  handle(environment: string, route: CompiledRoute, req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      sendProxyResponse(req, res, 405, 'bad_request', `${rumPathSuffix} takes POST (navigator.sendBeacon)`);
      return;
    }
    const now = this.clock();
    let bucket = this.buckets.get(environment);
    if (!bucket) {
      bucket = new Bucket(this.limits, now);
      this.buckets.set(environment, bucket);
    }
    if (!bucket.take(now)) {
      res.setHeader('Retry-After', '1');
      sendProxyResponse(req, res, 429, 'rate_limited', `more than ${this.limits.ratePerSecond} RUM beacons/s`);
      return;
    }
    const declared = Number(req.headers['content-length']);
    if (declared > maxBeaconBytes) {
      tooLarge(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > maxBeaconBytes) {
        done = true;
        tooLarge(req, res);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      this.accept(environment, route, Buffer.concat(chunks).toString('utf8'), req, res);
    });
    req.on('error', () => {
      done = true;
    });
  }

  private accept(
    environment: string,
    route: CompiledRoute,
    text: string,
    req: IncomingMessage,
    res: ServerResponse,
  ): void {
    const beacon = parseBeacon(text);
    if (typeof beacon === 'string') {
      sendProxyResponse(req, res, 400, 'bad_request', `RUM beacon: ${beacon}`);
      return;
    }
    if (!route.sets.some((s) => s.release === beacon.release)) {
      const body = JSON.stringify({
        recorded: false,
        reason: `release ${beacon.release} is not live for service "${route.service}"`,
      });
      res.writeHead(202, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const { release, ...sample } = beacon;
    this.registry.record(environment, route.service, release, this.clock(), sample);
    res.writeHead(204, { 'Cache-Control': 'no-store' });
    res.end();
  }
}

function tooLarge(req: IncomingMessage, res: ServerResponse): void {
  // The rest of the body is not read: close the connection rather than leave it for the next request.
  res.setHeader('Connection', 'close');
  sendProxyResponse(req, res, 413, 'too_large', `a RUM beacon is at most ${maxBeaconBytes} bytes`);
}

/** Check a beacon's JSON; a string says what is wrong, with the field. */
export function parseBeacon(text: string): Beacon | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return `not valid JSON: ${(e as Error).message}`;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return 'expected a JSON object { release, name, value, id?, page? }';
  const b = json as Record<string, unknown>;
  if (typeof b.release !== 'string' || b.release === '' || b.release.length > 128)
    return 'release: expected the release version the page was built as (a string of 1 to 128 characters)';
  if (!rumNames.includes(b.name as RumName)) return `name: expected one of ${rumNames.join(', ')}`;
  const name = b.name as RumName;
  // An error counts once, whatever the page put in value (a message, a count); an hour bounds every
  // real LCP / INP, and CLS scores are small numbers.
  const value = name === 'error' ? 1 : b.value;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 3_600_000)
    return 'value: expected a number ≥ 0 (ms for LCP and INP, the score for CLS)';
  for (const [field, max] of [
    ['id', 128],
    ['page', 2048],
  ] as const) {
    const v = b[field];
    if (v !== undefined && (typeof v !== 'string' || v.length > max))
      return `${field}: expected a string of at most ${max} characters`;
  }
  return { release: b.release, name, value, view: viewHash(b.id as string | undefined) };
}
