import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createNetServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server as TlsServer } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { validateConfigObject } from '../src/config/validate.js';
import { DatabaseReader } from '../src/observe/alerts/readers/database-reader.js';
import { DiskReader } from '../src/observe/alerts/readers/disk-reader.js';
import { TlsReader } from '../src/observe/alerts/readers/tls-reader.js';
import { TrafficReader } from '../src/observe/alerts/readers/traffic-reader.js';
import type { AlertTarget } from '../src/observe/alerts/reader.js';
import type { SamplesPage, TrafficSample } from '../src/traffic/router.js';
import { testDatabaseUrl } from './support/store.js';

/** The alert readers against real things: TLS servers with openssl certificates, PostgreSQL, the filesystem. */
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const target: AlertTarget = {
  project: 'harbor',
  environment: 'staging',
  service: 'api',
  release: '2.0.0',
  releaseId: 'rel_2',
  previousRelease: '1.0.0',
  liveSince: 0,
};

function configWith(extra: { tls?: string[]; volumes?: string[]; database?: boolean }) {
  return validateConfigObject(
    {
      project: 'harbor',
      environments: { staging: { listen: '127.0.0.1:8081', alerts: { tls: extra.tls ?? [] } } },
      services: { api: { command: 'node', resources: { memory: '512Mi', volumes: extra.volumes ?? [] } } },
      ...(extra.database ? { database: { url: 'env:ALERT_TEST_DB', migrations: 'migrations' } } : {}),
    },
    { baseDir: '/srv' },
  );
}

/** A TLS server presenting a self-signed certificate made by openssl, valid for `days`. */
async function tlsServer(days: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-tls-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=quote.harbor.test', '-days', String(days),
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ], { stdio: 'ignore' }); // biome-ignore format: argument list
  const server: TlsServer = createServer({
    key: readFileSync(join(dir, 'key.pem')),
    cert: readFileSync(join(dir, 'cert.pem')),
  });
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((r) => server.close(r));
  });
  return `127.0.0.1:${(server.address() as { port: number }).port}`;
}

/** A port that accepts TCP and never speaks TLS. */
async function silentPort(): Promise<string> {
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((r) => server.close(r));
  });
  return `127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe('TlsReader', () => {
  it('reads the days left of each endpoint over a real handshake; a dead one is phase error', async () => {
    const soon = await tlsServer(10);
    const later = await tlsServer(90);
    const mute = await silentPort();
    const config = configWith({ tls: [soon, later, mute] });
    const reader = new TlsReader(async () => config, 1500);
    const readings = await reader.read({ ...target, service: '' });
    expect(readings[0]).toMatchObject({ name: 'tls_days_left', labels: { endpoint: soon }, phase: 'ok' });
    expect(readings[1]).toMatchObject({ labels: { endpoint: later }, phase: 'ok' });
    const days = readings.map((r) => (r.phase === 'ok' ? r.value : undefined));
    expect(days[0]).toBeGreaterThan(9);
    expect(days[0]).toBeLessThanOrEqual(10);
    expect(days[1]).toBeGreaterThan(89);
    expect(readings[2]).toMatchObject({ phase: 'error', labels: { endpoint: mute } });
    expect(readings[2]!.phase === 'error' && readings[2]!.message).toMatch(/no TLS handshake within 1500 ms/);
  });
});

describe('DiskReader', () => {
  it('reports the used share of each declared volume as df does; a missing path is phase error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slipway-vol-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const config = configWith({ volumes: [dir, '/nonexistent/{version}/data'] });
    const [used, missing] = await new DiskReader(async () => config).read(target);
    const df = execFileSync('df', ['--output=pcent', dir], { encoding: 'utf8' }).split('\n')[1]!.trim();
    expect(used).toMatchObject({ name: 'disk_used_ratio', labels: { volume: dir }, phase: 'ok' });
    expect(Math.abs((used!.phase === 'ok' ? used!.value : -1) * 100 - Number.parseInt(df, 10))).toBeLessThan(2);
    expect(missing).toMatchObject({ phase: 'error', labels: { volume: '/nonexistent/2.0.0/data' } });
  });
});

describe('DatabaseReader', () => {
  it('probes the real database: up is 0, a refused connection is 1, an unset URL variable is phase error', async () => {
    const config = configWith({ database: true });
    const reader = (env: NodeJS.ProcessEnv) =>
      new DatabaseReader({ configOf: async () => config, timeoutMs: 2000, env });
    const up = await reader({ ALERT_TEST_DB: testDatabaseUrl }).read({ ...target, service: '' });
    expect(up).toEqual([expect.objectContaining({ name: 'database_probe_failed', phase: 'ok', value: 0 })]);
    expect(up[0]!.labels).toEqual({ service: 'api' });

    const closed = await silentPort(); // accepts TCP, never answers the PostgreSQL startup: a timeout
    const [, port] = closed.split(':');
    const down = await reader({ ALERT_TEST_DB: `postgres://app:s3cret@127.0.0.1:${port}/app` }).read(target);
    expect(down[0]).toMatchObject({ phase: 'ok', value: 1 });
    expect(JSON.stringify(down)).not.toContain('s3cret');

    const unset = await reader({}).read(target);
    expect(unset[0]).toMatchObject({ phase: 'error' });
    expect(unset[0]!.phase === 'error' && unset[0]!.message).toMatch(/ALERT_TEST_DB is not set/);
  });
});

describe('TrafficReader', () => {
  /** Samples in the proxy's page format: `n` requests of a release over [from, to). */
  function feed(
    into: TrafficSample[],
    release: string,
    n: number,
    from: number,
    to: number,
    f: (i: number) => Partial<TrafficSample>,
  ) {
    for (let i = 0; i < n; i++)
      into.push({
        seq: into.length + 1,
        release,
        at: from + ((to - from) * i) / n,
        status: 200,
        latencyMs: 20,
        proxyError: false,
        ...f(i),
      });
  }

  it('compares the live release with the previous one before its rollout: p95, errors, 401/403', async () => {
    const samples: TrafficSample[] = [];
    const liveSince = 600_000;
    feed(samples, '1.0.0', 1000, 0, liveSince, (i) => ({
      latencyMs: 20 + (i % 10),
      status: i % 200 === 0 ? 500 : 200,
    }));
    feed(samples, '2.0.0', 600, 640_000, 700_000, (i) => ({
      latencyMs: 60 + (i % 10),
      status: i % 10 === 0 ? 503 : i % 25 === 0 ? 401 : 200,
    }));
    const router = {
      samples: async (_e: string, _s: string, after = 0): Promise<SamplesPage> => ({
        startedAt: 1, environment: 'harbor.staging', service: 'api',
        samples: samples.filter((s) => s.seq > after), cursor: samples.length, missed: 0,
      }), // biome-ignore format: page literal
    };
    const reader = new TrafficReader({ router, dataPlaneEnvironment: (p, e) => `${p}.${e}`, now: () => 700_000 });
    const readings = await reader.read({ ...target, liveSince });
    const byName = Object.fromEntries(readings.map((r) => [r.name, r]));
    expect(byName.latency_p95_ms).toMatchObject({ phase: 'ok', value: 69, baseline: 29 });
    expect(byName.error_ratio).toMatchObject({ phase: 'ok', value: 0.1, baseline: 0.005 });
    expect(byName.auth_failure_ratio).toMatchObject({ phase: 'ok', baseline: 0.01 });
    expect((byName.auth_failure_ratio as { value: number }).value).toBeCloseTo(0.02, 3); // 1 in 25, less the 503s
  });

  it('too few requests in the window: no data', async () => {
    const router = {
      samples: async (): Promise<SamplesPage> => ({
        startedAt: 1,
        environment: 'e',
        service: 'api',
        samples: [],
        cursor: 0,
        missed: 0,
      }),
    };
    const readings = await new TrafficReader({ router, dataPlaneEnvironment: () => 'e' }).read(target);
    expect(readings.map((r) => r.phase)).toEqual(['nodata', 'nodata', 'nodata']);
  });
});
