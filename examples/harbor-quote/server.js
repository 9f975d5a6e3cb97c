#!/usr/bin/env node
// harbor-quote: a small maritime-insurance premium-quote API, the service Slipway's demo,
// tests and benchmarks deploy. Plain node:http, no dependencies.
//
//   GET  /health          liveness (never affected by the knobs)
//   GET  /version         release, instance and model
//   POST /quotes          {"tonnage": 42000, "vesselClass": "tanker", "routeRisk": 3} → premium
//   GET  /quotes/sample   a fixed quote (handy for load); ?delayMs=N holds the answer N ms (≤ 30000)
//   GET  /metrics         Prometheus text: requests by release and code, latency histogram
//
// With SENTRY_DSN set (Slipway sets it, with SENTRY_RELEASE and SENTRY_ENVIRONMENT), errors go to
// Sentry's official SDK, which reports them to that DSN: Slipway's own ingest, or a real Sentry.
import { createServer } from 'node:http';
import { knobs } from './knobs.js';
import { createMetrics } from './metrics.js';
import { premiumFor, validateQuote } from './premium.js';

const port = Number(process.env.PORT ?? process.argv[2] ?? 3000);
// On an SSH host Slipway's runtime sets the host's own address; locally it is loopback.
const listenHost = process.env.SLIPWAY_LISTEN_HOST ?? '127.0.0.1';
const release = process.env.SLIPWAY_RELEASE ?? process.env.APP_VERSION ?? 'dev';
const instance = process.env.SLIPWAY_INSTANCE ?? `pid-${process.pid}`;
const metrics = createMetrics(release);
const sampleQuote = { tonnage: 42_000, vesselClass: 'tanker', routeRisk: 3 };
// Loaded only when asked for, so the example still runs with no dependencies: where @sentry/node is not installed
// (a host that got only this folder), it says so once and serves without reporting errors.
const Sentry = process.env.SENTRY_DSN
  ? await import('@sentry/node').catch((e) => {
      console.error(`harbor-quote: not reporting errors (${e.code ?? e.message}: @sentry/node is not installed here)`);
      return undefined;
    })
  : undefined;
Sentry?.init({
  dsn: process.env.SENTRY_DSN,
  release: process.env.SENTRY_RELEASE ?? release,
  environment: process.env.SENTRY_ENVIRONMENT,
  tracesSampleRate: 0,
});

/** The premium, or (EXCEPTION_RATE) a pricing failure that is reported and answered with the v1 premium. */
function priceWithFallback(quote) {
  try {
    if (knobs.exceptionRate > 0 && Math.random() < knobs.exceptionRate) {
      const e = new Error(`surcharge table missing for ${quote.vesselClass}`);
      e.name = knobs.exceptionName;
      throw e;
    }
    return premiumFor(quote, knobs.quoteModel);
  } catch (e) {
    Sentry?.captureException(e);
    return premiumFor(quote, 'v1');
  }
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-release': release,
  });
  res.end(text);
}

function readJson(req) {
  return new Promise((resolve) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      try {
        resolve({ ok: true, value: JSON.parse(raw) });
      } catch (e) {
        resolve({ ok: false, error: `body: not valid JSON (${e.message})` });
      }
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function handle(req, res, url) {
  if (url.pathname === '/version') return send(res, 200, { release, instance, model: knobs.quoteModel });
  if (url.pathname === '/quotes/sample' && req.method === 'GET') {
    return send(res, 200, {
      quote: sampleQuote,
      premium: priceWithFallback(sampleQuote),
      currency: 'USD',
      release,
    });
  }
  if (url.pathname === '/quotes' && req.method === 'POST') {
    const body = await readJson(req);
    if (!body.ok) return send(res, 400, { error: body.error });
    const problems = validateQuote(body.value);
    if (problems.length > 0) return send(res, 400, { error: problems.join('; ') });
    return send(res, 200, { premium: priceWithFallback(body.value), currency: 'USD', release });
  }
  return send(res, 404, { error: `no route for ${req.method} ${url.pathname}` });
}

const server = createServer(async (req, res) => {
  const started = process.hrtime.bigint();
  const url = new URL(req.url ?? '/', 'http://localhost');
  const route = url.pathname;
  res.on('finish', () => {
    if (route === '/metrics' || route === '/health') return;
    metrics.observe(route, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
  });
  if (route === '/health') return send(res, 200, { status: 'ok', release });
  if (route === '/metrics') {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    return res.end(metrics.render());
  }
  const delayMs = Math.min(Number(url.searchParams.get('delayMs')) || 0, 30_000);
  const wait = knobs.extraLatencyMs + Math.random() * knobs.latencyJitterMs + delayMs;
  if (wait > 0) await sleep(wait);
  if (knobs.failRate > 0 && Math.random() < knobs.failRate)
    return send(res, 500, { error: 'injected failure (FAIL_RATE)', release });
  try {
    await handle(req, res, url);
  } catch (e) {
    Sentry?.captureException(e);
    send(res, 500, { error: e.message });
  }
});
// Longer than the proxy's idle pool timeout, so the proxy never reuses a socket we are closing.
server.keepAliveTimeout = 65_000;

// Graceful stop: finish in-flight requests, close idle keep-alive connections, then exit.
function shutdown(signal) {
  console.log(`harbor-quote ${release}: ${signal}, draining`);
  server.close(async () => {
    // Events still in the SDK's queue are sent before the process ends.
    await Sentry?.close(2000);
    console.log(`harbor-quote ${release}: stopped`);
    process.exit(0);
  });
  server.closeIdleConnections();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));

async function main() {
  if (knobs.crashOnStart) {
    console.error(`harbor-quote ${release}: CRASH_ON_START is set, exiting`);
    process.exit(1);
  }
  if (knobs.slowStartMs > 0) await sleep(knobs.slowStartMs);
  server.listen(port, listenHost, () =>
    console.log(`harbor-quote ${release} (${instance}) listening on ${listenHost}:${port}`),
  );
  server.on('error', (e) => {
    console.error(`harbor-quote: cannot listen on ${listenHost}:${port}: ${e.message}`);
    process.exit(1);
  });
}
main();
