import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineHarness, type Harness } from '../../test/support/engine-harness.js';
import { pino } from 'pino';
import { ensureAdminToken, generateToken } from './auth.js';
import { createCoordinatorMetrics } from './metrics.js';
import { buildApi } from './server.js';

/** The audit log as the API writes it: state changes and denied attempts, never reads, never secrets. */
let h: Harness;
let app: FastifyInstance;
let metrics: ReturnType<typeof createCoordinatorMetrics>;
const logged: Record<string, unknown>[] = [];
const logger = pino(
  { level: 'error' },
  { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) },
);
const adminToken = generateToken();
const as = (token: string) => ({ authorization: `Bearer ${token}` });
const admin = as(adminToken);

interface Row {
  seq: number;
  actor: string;
  action: string;
  target: string;
  source: string;
  outcome: string;
  status: number;
  before: unknown;
  after: unknown;
}

async function rowsAfter(seq: number): Promise<Row[]> {
  return (
    await h.db.query<Row>(
      'select seq, actor, action, target, source, outcome, status, before, after from audit_log where seq > $1 ' +
        'order by seq',
      [seq],
    )
  ).rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

async function lastSeq(): Promise<number> {
  return Number((await h.db.query<{ seq: number | null }>('select max(seq) as seq from audit_log')).rows[0]!.seq ?? 0);
}

beforeAll(async () => {
  h = await engineHarness();
  await ensureAdminToken(h.db, adminToken);
  metrics = createCoordinatorMetrics(h.db);
  app = await buildApi({
    db: h.db,
    engine: h.engine,
    events: h.events,
    logger,
    metrics,
    version: '0.0.0-test',
    startedAt: Date.now(),
    shutdown: () => undefined,
  });
  await app.ready();
}, 60_000);
afterAll(async () => {
  await app?.close();
  await h?.close();
});

describe('audit hook', () => {
  it('a deployment that is created is recorded with actor, action, target, source and its summary', async () => {
    h.runtime.behaviour = () => 'healthy';
    const from = await lastSeq();
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/projects/harbor/deployments',
      headers: admin,
      payload: { service: 'api', environment: 'staging', version: '1.0.0', set: { DB_PASSWORD: 'hunter2' } },
    });
    expect(res.statusCode).toBe(201);
    const d = res.json().deployment;
    const rows = await rowsAfter(from);
    expect(rows).toEqual([
      {
        seq: from + 1,
        actor: expect.stringMatching(/^admin \(tok_\w+\)$/),
        action: 'deployment.create',
        target: 'project=harbor service=api environment=staging',
        source: '127.0.0.1',
        outcome: 'allowed',
        status: 201,
        before: null,
        after: {
          deployment: d.id,
          release: expect.any(String),
          version: '1.0.0',
          strategy: 'blue-green',
          state: d.state,
        },
      },
    ]);
    // Bodies are never stored whole: the --set value is not in the log.
    expect(JSON.stringify(rows)).not.toContain('hunter2');
    await h.waitFinished(d.id);
  });

  it('no token and an unknown token: recorded as denied, anonymous, without the token', async () => {
    const from = await lastSeq();
    const bogus = generateToken();
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/v1/projects/harbor/deployments',
          payload: { service: 'api', environment: 'staging', version: '9.0.0' },
        })
      ).statusCode,
    ).toBe(401);
    expect((await app.inject({ url: '/api/v1/deployments', headers: as(bogus) })).statusCode).toBe(401);
    expect((await app.inject({ method: 'DELETE', url: '/api/v1/nothing?key=abc' })).statusCode).toBe(401);
    const rows = await rowsAfter(from);
    expect(rows).toMatchObject([
      {
        actor: 'anonymous',
        action: 'deployment.create',
        target: 'project=harbor',
        outcome: 'denied',
        status: 401,
        after: { refused: expect.stringMatching(/missing bearer token/) },
      },
      {
        actor: 'anonymous',
        action: 'deployment.list',
        outcome: 'denied',
        status: 401,
        after: { refused: 'unknown token' },
      },
      // No route: the path (without its query) stands in for the action.
      { actor: 'anonymous', action: 'DELETE /api/v1/nothing', target: '', outcome: 'denied', status: 401 },
    ]);
    expect(JSON.stringify(rows)).not.toContain(bogus);
  });

  it('a token without the role: recorded as denied with its name', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: admin,
      payload: { name: 'ci', grants: [{ role: 'deployer', environments: ['staging'] }] },
    });
    expect(created.statusCode).toBe(201);
    const { secret, token } = created.json();
    const from = await lastSeq();
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/projects/harbor/deployments',
      headers: as(secret),
      payload: { service: 'api', environment: 'production', version: '1.0.0' },
    });
    expect(res.statusCode).toBe(403);
    expect(await rowsAfter(from)).toMatchObject([
      {
        actor: `ci (${token.id})`,
        action: 'deployment.create',
        target: 'project=harbor service=api environment=production',
        outcome: 'denied',
        status: 403,
      },
    ]);
    // The token's creation was recorded, but not its secret.
    const all = JSON.stringify((await h.db.query('select * from audit_log')).rows);
    expect(all).toContain('token.create');
    expect(all).not.toContain(secret);
  });

  it('GET requests that are answered are not recorded', async () => {
    const from = await lastSeq();
    for (const url of ['/api/v1/projects', '/api/v1/deployments', '/api/v1/projects/harbor/status'])
      expect((await app.inject({ url, headers: admin })).statusCode).toBe(200);
    expect(await rowsAfter(from)).toEqual([]);
  });

  it('applying a project records the config digest before and after', async () => {
    const from = await lastSeq();
    const {
      rows: [project],
    } = await h.db.query<{ digest: string }>(`select digest from projects where name = 'harbor'`);
    const config = {
      ...harnessConfigAsYaml(),
      services: { api: { ...harnessConfigAsYaml().services.api, instances: 3 } },
    };
    const res = await app.inject({
      method: 'PUT',
      url: '/api/v1/projects/harbor',
      headers: admin,
      payload: { config, baseDir: '/srv/harbor' },
    });
    expect(res.statusCode).toBe(200);
    const [row] = await rowsAfter(from);
    expect(row).toMatchObject({
      action: 'project.apply',
      target: 'project=harbor',
      before: { digest: project!.digest },
      after: { digest: res.json().project.digest, changed: true },
    });
    expect(res.json().project.digest).not.toBe(project!.digest);
  });

  it('pause and abort record the deployment state before and after', async () => {
    h.runtime.behaviour = () => 'starting';
    const slow = (
      await app.inject({
        method: 'POST',
        url: '/api/v1/projects/harbor/deployments',
        headers: admin,
        payload: { service: 'api', environment: 'staging', version: '2.0.0' },
      })
    ).json().deployment;
    const from = await lastSeq();
    expect(
      (await app.inject({ method: 'POST', url: `/api/v1/deployments/${slow.id}/pause`, headers: admin })).statusCode,
    ).toBe(200);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: `/api/v1/deployments/${slow.id}/abort`,
          headers: admin,
          payload: { reason: 'test' },
        })
      ).statusCode,
    ).toBe(200);
    const [pause, abort] = await rowsAfter(from);
    const target = `deployment=${slow.id} project=harbor service=api environment=staging`;
    expect(pause).toMatchObject({
      action: 'deployment.pause',
      target,
      before: { deployment: slow.id, state: 'running', paused: false },
      after: { state: 'running', paused: true },
    });
    expect(abort).toMatchObject({
      action: 'deployment.abort',
      target,
      before: { state: 'running', paused: true, abortRequested: false },
      after: { abortRequested: true },
    });
    await h.waitFinished(slow.id);

    const again = (
      await app.inject({
        method: 'POST',
        url: '/api/v1/projects/harbor/deployments',
        headers: admin,
        payload: { service: 'api', environment: 'staging', version: '3.0.0' },
      })
    ).json().deployment;
    const beforeRollback = await lastSeq();
    const rollback = await app.inject({
      method: 'POST',
      url: '/api/v1/projects/harbor/rollbacks',
      headers: admin,
      payload: { service: 'api', environment: 'staging' },
    });
    expect(rollback.statusCode).toBe(201);
    expect(await rowsAfter(beforeRollback)).toMatchObject([
      {
        action: 'deployment.rollback',
        target: 'project=harbor service=api environment=staging',
        before: { deployment: again.id, state: 'running' },
        after: { deployment: again.id, aborted: true, abortRequested: true },
      },
    ]);
    await h.waitFinished(again.id);
    h.runtime.behaviour = () => 'healthy';
  }, 30_000);
});

describe('audit API', () => {
  it('export streams JSON lines since a date; verify checks the chain; both are admin only', async () => {
    const res = await app.inject({
      url: `/api/v1/audit?since=${new Date(Date.now() - 3_600_000).toISOString()}`,
      headers: admin,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/x-ndjson/);
    const lines = res.body
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Row & { hash: string; prevHash: string });
    expect(lines.length).toBe(await lastSeq());
    expect(lines[1]!.prevHash).toBe(lines[0]!.hash);
    expect((await app.inject({ url: '/api/v1/audit?since=2099-01-01', headers: admin })).body).toBe('');

    // A duration back from now, as `slipway kpis --since` takes it; no since is the whole log.
    const lastDay = await app.inject({ url: '/api/v1/audit?since=30d', headers: admin });
    expect([lastDay.statusCode, lastDay.body]).toEqual([200, res.body]);
    expect((await app.inject({ url: '/api/v1/audit', headers: admin })).body).toBe(res.body);
    const bad = await app.inject({ url: '/api/v1/audit?since=yesterday', headers: admin });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/query\.since: "yesterday" is neither a duration \(30d, 12h\) nor a date/);
    const unitless = await app.inject({ url: '/api/v1/audit?since=30', headers: admin });
    expect([unitless.statusCode, unitless.json().error.message]).toEqual([
      400,
      expect.stringMatching(/^query\.since: /),
    ]);
    const badDay = await app.inject({ url: '/api/v1/audit?since=2026-02-31', headers: admin });
    expect(badDay.json().error.message).toMatch(/query\.since: "2026-02-31" is not a date/);
    // PostgreSQL has no year 0: a 400 here, not the database's 500.
    const yearZero = await app.inject({ url: '/api/v1/audit?until=0000-01-01', headers: admin });
    expect(yearZero.statusCode, yearZero.body).toBe(400);
    expect(yearZero.json().error.message).toMatch(/query\.until: "0000-01-01" is not a date/);

    const verify = await app.inject({ url: '/api/v1/audit/verify', headers: admin });
    expect(verify.json()).toMatchObject({
      ok: true,
      rows: await lastSeq(),
      firstBad: null,
      head: { seq: await lastSeq() },
    });

    const viewer = (
      await app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: admin,
        payload: { name: 'viewer', grants: [{ role: 'viewer', environments: '*' }] },
      })
    ).json().secret;
    expect((await app.inject({ url: '/api/v1/audit/verify', headers: as(viewer) })).statusCode).toBe(403);
    expect((await app.inject({ url: '/api/v1/audit?since=2026-10-01', headers: as(viewer) })).statusCode).toBe(403);
    const [denied] = await rowsAfter((await lastSeq()) - 1);
    expect(denied).toMatchObject({
      action: 'audit.export',
      outcome: 'denied',
      actor: expect.stringMatching(/^viewer /),
    });
  });

  it('a failed audit write keeps the answer, logs and counts it, and marks the answer', async () => {
    await h.db.query('alter table audit_log rename to audit_log_away');
    try {
      const config = {
        ...harnessConfigAsYaml(),
        services: { api: { ...harnessConfigAsYaml().services.api, instances: 4 } },
      };
      const res = await app.inject({
        method: 'PUT',
        url: '/api/v1/projects/harbor',
        headers: admin,
        payload: { config, baseDir: '/srv/harbor' },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().changed).toBe(true);
      expect(logged).toContainEqual(
        expect.objectContaining({
          level: 50,
          msg: expect.stringMatching(/could not write the audit log entry/),
          audit: expect.objectContaining({ action: 'project.apply', status: 200 }),
        }),
      );
      expect(res.headers['slipway-audit']).toBe('failed');
      expect(await metrics.registry.getSingleMetricAsString('slipway_audit_write_failures_total')).toMatch(
        /slipway_audit_write_failures_total 1$/m,
      );
    } finally {
      await h.db.query('alter table audit_log_away rename to audit_log');
    }
  });
});

/** The harness project as the JSON a CLI would send (slipway.yaml shape). */
function harnessConfigAsYaml() {
  return {
    project: 'harbor',
    environments: { staging: { listen: '127.0.0.1:18081' }, production: { listen: '127.0.0.1:18082' } },
    services: {
      api: {
        command: 'node',
        args: ['server.js'],
        instances: 2,
        health: { interval: '50ms', startTimeout: '2s' },
        drainTimeout: '1s',
        strategy: { type: 'blue-green', keepOldFor: '5m' },
      },
    },
  };
}
