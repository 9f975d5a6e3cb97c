import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshDb } from '../../../test/support/store.js';
import type { ProjectConfig } from '../../config/model.js';
import { validateConfigObject } from '../../config/validate.js';
import { EventLog } from '../../engine/event-log.js';
import { silentLogger } from '../../shared/logging.js';
import type { Db } from '../../store/db.js';
import { listEvents } from '../../store/repos/events.js';
import { upsertProject } from '../../store/repos/projects.js';
import { insertReleaseIfAbsent } from '../../store/repos/releases.js';
import { setStable } from '../../store/repos/service-state.js';
import { AlertEvaluator } from './evaluator.js';
import { ResourcesReader } from './readers/resources-reader.js';
import { TlsReader } from './readers/tls-reader.js';

/**
 * The memory and TLS rules firing end to end, through their real readers and the evaluator: instance memory above
 * 80 % of `resources.memory` for 5 minutes, and a certificate (made by openssl, served over a real TLS handshake)
 * that expires within 30 days.
 */
const mi = 1024 * 1024;
const cleanups: (() => unknown)[] = [];
let db: Db;
let now = 1_000_000;
/** Resident memory the runtime reports, per instance. */
const rss = new Map<string, number>();

async function environment(tls: string[]): Promise<{ config: ProjectConfig; evaluator: AlertEvaluator }> {
  const config = validateConfigObject(
    {
      project: 'harbor',
      environments: { staging: { listen: '127.0.0.1:8081', alerts: { tls } } },
      services: { api: { command: 'node', resources: { memory: '512Mi' } } },
    },
    { baseDir: '/srv' },
  );
  await upsertProject(db, 'harbor', config, 'd1');
  const spec = { service: 'api', version: '2.0.0', command: 'node', args: [], cwd: '/srv', env: {} };
  const release = await insertReleaseIfAbsent(db, {
    id: 'rel-api',
    project: 'harbor',
    service: 'api',
    version: '2.0.0',
    spec,
    digest: 'x',
  });
  await setStable(db, 'harbor', 'staging', 'api', release.id);
  const configOf = async () => config;
  const evaluator = new AlertEvaluator({
    db,
    events: new EventLog(db, silentLogger),
    readers: [
      new ResourcesReader({
        runtime: {
          usage: async (id) => (rss.has(id) ? { rssBytes: rss.get(id)!, cpuSeconds: 1, at: now } : undefined),
        },
        instancesOf: async () => [...rss.keys()],
        configOf,
      }),
      new TlsReader(configOf, 1500),
    ],
    clock: { now: () => now, sleep: async () => {} },
    logger: silentLogger,
  });
  return { config, evaluator };
}

const firing = async () =>
  (await listEvents(db, { project: 'harbor' }))
    .filter((e) => e.kind === 'alert.firing')
    .map((e) => `${e.data.rule} ${e.message}`);

/** A TLS server on 127.0.0.1 presenting a self-signed certificate made by openssl, valid for `days`. */
async function tlsEndpoint(days: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-tls-alert-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-subj', '/CN=quote.harbor.test', '-days', String(days),
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ], { stdio: 'ignore' }); // biome-ignore format: argument list
  const server = createTlsServer({
    key: readFileSync(join(dir, 'key.pem')),
    cert: readFileSync(join(dir, 'cert.pem')),
  });
  return listening(server);
}

/** A port that takes TCP and never answers a TLS handshake. */
function silentEndpoint(): Promise<string> {
  return listening(createNetServer((socket) => socket.on('error', () => undefined)));
}

async function listening(server: Server): Promise<string> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => sockets.add(socket));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((r) => server.close(r));
  });
  return `127.0.0.1:${(server.address() as { port: number }).port}`;
}

beforeEach(async () => {
  db = await freshDb();
  rss.clear();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await db.close();
});

describe('resource alert rules firing', () => {
  it('instance-memory: above 80 % of resources.memory for 5 minutes fires for that instance only', async () => {
    const { config, evaluator } = await environment([]);
    rss.set('ins_high', 450 * mi); // 88 % of 512Mi
    rss.set('ins_ok', 400 * mi); // 78 %
    const round = async (stepMs: number) => {
      const alerts = await evaluator.evaluate(config, config.environments[0]!);
      now += stepMs;
      return alerts.filter((a) => a.rule === 'instance-memory');
    };
    const first = await round(60_000);
    expect(first.map((a) => `${a.labels.instance} ${a.state}`)).toEqual(['ins_high pending']);
    expect(first[0]).toMatchObject({ severity: 'warning', threshold: 0.8 });
    expect(first[0]!.value).toBeCloseTo(450 / 512, 5);
    for (let i = 0; i < 4; i++) expect((await round(60_000))[0]!.state).toBe('pending');
    expect(await firing()).toEqual([]);
    expect((await round(60_000))[0]!.state).toBe('firing'); // 5 minutes after the first breach
    expect(await firing()).toEqual([
      expect.stringMatching(
        /^instance-memory firing: warning instance-memory on api \(staging\) ins_high: .* — 87\.9 %/,
      ),
    ]);
    expect((await firing())[0]).toMatch(/threshold 80\.0 %$/);
  });

  it('tls-certificate-expiry: a certificate expiring within 30 days fires at once, a dead endpoint not', async () => {
    const soon = await tlsEndpoint(10);
    const later = await tlsEndpoint(90);
    const dead = await silentEndpoint();
    const { config, evaluator } = await environment([soon, later, dead]);
    const alerts = await evaluator.evaluate(config, config.environments[0]!);
    const tls = alerts.filter((a) => a.rule === 'tls-certificate-expiry');
    expect(tls.map((a) => `${a.labels.endpoint} ${a.state}`)).toEqual([`${soon} firing`]);
    expect(tls[0]!.value).toBeGreaterThan(9);
    expect(tls[0]!.value).toBeLessThanOrEqual(10);
    expect(await firing()).toEqual([
      expect.stringMatching(
        new RegExp(`^tls-certificate-expiry firing: warning tls-certificate-expiry on .*${soon}: .*threshold 30 days$`),
      ),
    ]);
  });
});
