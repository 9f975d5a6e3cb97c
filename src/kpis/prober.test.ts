import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb } from '../../test/support/store.js';
import { validateConfigObject } from '../config/validate.js';
import { silentLogger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import { availabilityTotals } from '../store/repos/availability.js';
import type { ReleaseStats, TrafficStats } from '../traffic/router.js';
import { AvailabilityProber } from './prober.js';

function releaseStats(requests: number, errors: number, proxyErrors: number): ReleaseStats {
  return {
    requests: {
      '1xx': 0,
      '2xx': requests - errors - proxyErrors,
      '3xx': 0,
      '4xx': 0,
      '5xx': errors,
      proxyError: proxyErrors,
    },
    latency: { bucketsMs: [], counts: [], sumMs: 0, count: 0 },
  };
}

/** The prober against a real HTTP server standing in for the environment's address, writing to a real store. */
describe('AvailabilityProber', () => {
  let db: Db;
  let server: Server;
  let status = 200;
  const paths: string[] = [];
  beforeAll(async () => {
    db = await freshDb();
    server = createServer((req, res) => {
      paths.push(`${req.headers.host} ${req.url}`);
      res.statusCode = status;
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  }, 60_000);
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await db?.close();
  });

  it('probes each live service through the environment address and adds the proxy counts', async () => {
    const port = (server.address() as AddressInfo).port;
    const config = validateConfigObject(
      {
        project: 'harbor',
        environments: { production: { listen: `127.0.0.1:${port}` }, staging: { listen: '127.0.0.1:1' } },
        services: {
          api: { command: 'node', route: { pathPrefix: '/api' }, health: { path: '/api/healthz' } },
          web: { command: 'node', route: { pathPrefix: '/', host: 'www.example.test' } },
        },
      },
      { baseDir: '/srv/harbor' },
    );
    await db.query(`insert into projects (name, config, digest) values ('harbor', '{}', 'x')`);
    await db.query(
      `insert into releases (id, project, service, version, spec, digest) values ('rel_a', 'harbor', 'api', '1', '{}',
        'x'), ('rel_w', 'harbor', 'web', '1', '{}', 'x')`,
    );
    // api and web live in production; nothing live in staging (whose address answers nothing).
    await db.query(
      `insert into service_state (project, environment, service, stable_release) values
        ('harbor', 'production', 'api', 'rel_a'), ('harbor', 'production', 'web', 'rel_w'),
        ('harbor', 'staging', 'api', null)`,
    );
    let stats: TrafficStats = {
      startedAt: 1,
      at: 1,
      environments: { 'harbor.production': { api: { rel_a: releaseStats(100, 1, 0) } } },
    };
    const prober = new AvailabilityProber({
      db,
      logger: silentLogger,
      projects: async () => [config],
      stats: async () => stats,
    });
    const at = new Date('2026-12-01T10:00:10Z');
    await prober.round(at);
    stats = {
      startedAt: 1,
      at: 2,
      environments: { 'harbor.production': { api: { rel_a: releaseStats(150, 3, 1), rel_b: releaseStats(10, 0, 0) } } },
    };
    status = 503;
    await prober.round(new Date(at.getTime() + 5000));
    // The data plane restarted: its counters begin again.
    stats = { startedAt: 2, at: 3, environments: { 'harbor.production': { api: { rel_b: releaseStats(4, 0, 4) } } } };
    status = 200;
    await prober.round(new Date(at.getTime() + 70_000));

    expect(paths).toContain(`127.0.0.1:${port} /api/healthz`);
    expect(paths).toContain('www.example.test /health');
    const [production] = await availabilityTotals(db, {
      project: 'harbor',
      since: at,
      until: new Date(at.getTime() + 3_600_000),
      environment: 'production',
      service: 'api',
    });
    // Probes: up, down (503), up. Requests: 50 + 10 after the first read, then 4 after the restart.
    expect(production).toEqual({ environment: 'production', probes: 3, probeFailures: 1, requests: 64, errors5xx: 7 });
    const { rows } = await db.query('select count(*)::int as n from availability_samples where service = $1', ['api']);
    expect(rows[0]).toEqual({ n: 2 });
  });
});
