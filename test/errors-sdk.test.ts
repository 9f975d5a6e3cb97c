import { reservePort } from './support/test-ports.js';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAdminToken } from '../src/api/auth.js';
import { createCoordinatorMetrics } from '../src/api/metrics.js';
import { buildApi } from '../src/api/server.js';
import { ErrorIngest } from '../src/observe/errors/error-ingest.js';
import { silentLogger } from '../src/shared/logging.js';
import { listEvents } from '../src/store/repos/events.js';
import { engineHarness, type Harness } from './support/engine-harness.js';
import { repoRoot } from './support/entry.js';
import { runSlipway } from './support/cli.js';
import { until } from './support/processes.js';

/**
 * The real SDKs as clients: harbor-quote reports through @sentry/node, a Python script through
 * Debian's sentry-sdk, both pointed at a coordinator API with a DSN it made. The test looks at
 * what they sent (as the API received it) and what Slipway stored and grouped.
 */
const admin = 'slw_errors-sdk-test-admin-token-0000';
let h: Harness;
let app: FastifyInstance;
let ingest: ErrorIngest;
let base: string;
const received: { url: string; encoding?: string; auth: boolean; type?: string; req: IncomingMessage }[] = [];
/** Requests Fastify routed: the rest were answered by the raw ingest path (src/api/ingest-fast-path.ts). */
const routed = new WeakSet<IncomingMessage>();
const children: ChildProcess[] = [];

const api = async (url: string, init: RequestInit = {}) => {
  const res = await fetch(`${base}${url}`, {
    ...init,
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json', ...init.headers },
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

beforeAll(async () => {
  h = await engineHarness();
  await ensureAdminToken(h.db, admin);
  ingest = new ErrorIngest({ db: h.db, logger: silentLogger });
  app = await buildApi({
    db: h.db,
    engine: h.engine,
    events: h.events,
    logger: silentLogger,
    metrics: createCoordinatorMetrics(h.db),
    version: '0.0.0-test',
    startedAt: Date.now(),
    shutdown: () => undefined,
    errors: ingest,
  });
  // Every request as the HTTP server got it: plain ingest requests never reach Fastify's hooks (ingest-fast-path.ts).
  app.server.on('request', (req: IncomingMessage) => {
    if (!/\/api\/\d+\//.test(req.url ?? '')) return;
    received.push({
      url: req.url!.split('?')[0]!,
      encoding: req.headers['content-encoding'],
      auth: Boolean(req.headers['x-sentry-auth']) || req.url!.includes('sentry_key='),
      type: req.headers['content-type'],
      req,
    });
  });
  app.addHook('onRequest', async (req) => {
    routed.add(req.raw);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
}, 60_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await app?.close();
  await ingest?.close();
  await h?.close();
});

describe('error ingest with the real SDKs', () => {
  it('harbor-quote with @sentry/node: a handled exception per quote, answered 200, one issue', async () => {
    const dsn = (await api('/api/v1/projects/harbor/dsn?environment=staging')).body.dsn as string;
    expect(dsn).toMatch(/^http:\/\/[0-9a-f]{32}@127\.0\.0\.1:\d+\/\d+$/);
    const port = await reservePort();
    const child = spawn(process.execPath, [path.join(repoRoot, 'examples/harbor-quote/server.js'), String(port)], {
      env: {
        ...process.env,
        SENTRY_DSN: dsn,
        SENTRY_RELEASE: '2.0.0',
        SENTRY_ENVIRONMENT: 'staging',
        EXCEPTION_RATE: '1',
        EXCEPTION_NAME: 'SurchargeTableError',
      },
      stdio: 'ignore',
    });
    children.push(child);
    await until('harbor-quote listening', async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, 15_000);
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`http://127.0.0.1:${port}/quotes/sample`);
      expect(res.status).toBe(200);
    }
    // The SDK sends each event as it happens; on a starved machine its 2 s close on SIGTERM may not be enough, so
    // the three envelopes are waited for first, then their grouping (the digest stores in batches).
    const envelopes = () => received.filter((r) => r.url === `/api/${dsn.split('/').at(-1)}/envelope/`).length;
    await until('the SDK to send three envelopes', () => envelopes() >= 3 || undefined, 30_000);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    const issue = await until(
      'the three events grouped into their issue',
      async () => {
        await ingest.flush();
        const list = (await api('/api/v1/projects/harbor/errors?environment=staging&release=2.0.0')).body;
        const found = list.issues.find((i: { title: string }) => i.title.startsWith('SurchargeTableError'));
        return found?.events >= 3 ? found : undefined;
      },
      30_000,
    );
    expect(issue).toMatchObject({
      title: 'SurchargeTableError: surcharge table missing for tanker',
      events: 3,
      newInRelease: true,
      status: 'unresolved',
      unhandled: false,
    });
    expect(issue.culprit).toMatch(/priceWithFallback \(.*server\.js:\d+\)/);
    const shown = (await api(`/api/v1/errors/${issue.id}`)).body;
    expect(shown.latest).toMatchObject({ release: '2.0.0', environment: 'staging', sdk: 'sentry.javascript.node' });
    const frames = shown.latest.exceptions[0].frames;
    expect(frames.at(-1)).toMatchObject({ function: 'priceWithFallback', inApp: true });
    // What the SDK sent: envelopes to the DSN's project id, the key in the query string.
    const projectId = dsn.split('/').at(-1);
    expect(received.filter((r) => r.url === `/api/${projectId}/envelope/`).length).toBeGreaterThanOrEqual(3);
    expect(received.every((r) => r.auth)).toBe(true);
    const events = await listEvents(h.db, { project: 'harbor' });
    expect(events.filter((e) => e.kind === 'error.issue.new' && e.data.issue === issue.id)).toHaveLength(1);
  }, 60_000);

  it("Python's sentry-sdk: grouping, fingerprints with {{ default }}, sessions and a crash", async () => {
    const dsn = (await api('/api/v1/projects/harbor/dsn?environment=production')).body.dsn as string;
    const script = path.join(repoRoot, 'test/fixtures/sentry/python_client.py');
    const run = promisify(execFile);
    await run('/usr/bin/python3', [script, dsn, '3.1.0', 'ok'], { timeout: 30_000 });
    await run('/usr/bin/python3', [script, dsn, '3.1.0', 'crash'], { timeout: 30_000 }).catch((e) => {
      expect(String(e.stderr)).toContain('ZeroDivisionError');
    });
    await ingest.flush();
    const { issues } = (await api('/api/v1/projects/harbor/errors?environment=production')).body;
    const byTitle = new Map(issues.map((i: { title: string }) => [i.title, i]));
    // Two KeyErrors from the same frame are one issue; the client fingerprint splits the third off.
    const keyErrors = issues.filter((i: { title: string }) => i.title.startsWith('KeyError'));
    expect(keyErrors.map((i: { events: number }) => i.events).sort()).toEqual([1, 2]);
    expect(byTitle.get('quote cache cold')).toMatchObject({ events: 1, level: 'info' });
    expect(byTitle.get('ZeroDivisionError: division by zero')).toMatchObject({ unhandled: true, events: 1 });
    // The script's environment is ignored: the DSN key says production.
    expect(issues.every((i: { counts: { environment: string }[] }) => i.counts[0]!.environment === 'production')).toBe(
      true,
    );
    expect(received.some((r) => r.encoding === 'gzip')).toBe(true);
    // sentry-sdk posts with a Content-Length, @sentry/node chunked: the raw ingest path answers both, not Fastify.
    const ingested = received.filter((r) => /\/(envelope|store)\/$/.test(r.url));
    expect(ingested.some((r) => r.req.headers['transfer-encoding'] === 'chunked')).toBe(true);
    expect(ingested.some((r) => r.req.headers['content-length'] !== undefined)).toBe(true);
    expect(ingested.filter((r) => routed.has(r.req))).toEqual([]);
    const health = await until('sessions stored', async () => {
      const b = (await api('/api/v1/projects/harbor/release-health?environment=production')).body;
      return b.releases.length > 0 && b.releases[0].sessions >= 2 ? b : undefined;
    });
    expect(health.releases[0]).toMatchObject({ release: '3.1.0', sessions: 2, crashFreeSessions: 0.5 });
    expect(health.releases[0].crashFreeUsers).toBe(0.5);
  }, 60_000);

  it('the CLI: slipway dsn, errors, errors show, errors resolve, errors health', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'slipway-errors-cli-'));
    const slipway = (...args: string[]) =>
      runSlipway(['--project', 'harbor', ...args], { cwd, env: { SLIPWAY_URL: base, SLIPWAY_TOKEN: admin } });
    try {
      const dsn = await slipway('dsn', '--env', 'staging');
      expect(dsn.stdout.trim()).toBe((await api('/api/v1/projects/harbor/dsn?environment=staging')).body.dsn);
      const list = await slipway('errors', '--env', 'staging', '--release', '2.0.0');
      expect(list.code, list.stderr).toBe(0);
      expect(list.stdout).toMatch(/iss_\w+\s+3\s+0\s+.*unresolved\s+new\s+SurchargeTableError: surcharge table/);
      const json = JSON.parse((await slipway('errors', '--env', 'staging', '--json')).stdout);
      const id = json.issues[0].id as string;
      const show = await slipway('errors', 'show', id);
      expect(show.code, show.stderr).toBe(0);
      expect(show.stdout).toContain('SurchargeTableError: surcharge table missing for tanker');
      expect(show.stdout).toMatch(/at priceWithFallback \(.*server\.js:\d+\)/);
      expect(show.stdout).toMatch(/2\.0\.0\s+staging\s+3\s+0\s+\S+ ago\s+new/);
      const resolved = await slipway('errors', 'resolve', id, '--release', '2.0.1');
      expect(resolved.stdout.trim()).toBe(`${id}: unresolved → resolved`);
      const health = await slipway('errors', 'health', '--env', 'production');
      expect(health.stdout).toMatch(/3\.1\.0\s+production\s+2\s+50\.00 %\s+2\s+50\.00 %/);
      const missing = await slipway('errors', 'show', 'iss_missing');
      expect([missing.code, missing.stderr]).toEqual([3, expect.stringContaining('no issue iss_missing')]);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 60_000);
});
