import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureAdminToken, generateToken } from '../src/api/auth.js';
import { createCoordinatorMetrics } from '../src/api/metrics.js';
import { buildApi } from '../src/api/server.js';
import { silentLogger } from '../src/shared/logging.js';
import { runSlipway } from './support/cli.js';
import { engineHarness, type Harness } from './support/engine-harness.js';

/** `slipway audit export` and `slipway audit verify` as an auditor runs them, against a coordinator API on a real port.
 * */
let h: Harness;
let app: FastifyInstance;
let env: Record<string, string>;
let cwd: string;
const token = generateToken();

beforeAll(async () => {
  h = await engineHarness();
  await ensureAdminToken(h.db, token);
  app = await buildApi({
    db: h.db,
    engine: h.engine,
    events: h.events,
    logger: silentLogger,
    metrics: createCoordinatorMetrics(h.db),
    version: '0.0.0-test',
    startedAt: Date.now(),
    shutdown: () => undefined,
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  env = { SLIPWAY_URL: address, SLIPWAY_TOKEN: token };
  // No slipway.yaml here: the audit commands need only the coordinator's address.
  cwd = mkdtempSync(path.join(tmpdir(), 'slipway-audit-cli-'));
  for (const version of ['1.0.0', '2.0.0']) {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/projects/harbor/deployments',
      headers: { authorization: `Bearer ${token}` },
      payload: { service: 'api', environment: 'staging', version, queue: true },
    });
    expect(res.statusCode).toBe(201);
  }
  await app.inject({
    method: 'POST',
    url: '/api/v1/projects/harbor/rollbacks',
    payload: { service: 'api', environment: 'staging' },
  });
}, 60_000);
afterAll(async () => {
  await app?.close();
  await h?.close();
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe('slipway audit', () => {
  it('export prints JSON lines since a date; a bad date is exit 2 naming the flag', async () => {
    const since = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const r = await runSlipway(['audit', 'export', '--since', since], { cwd, env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number; action: string; outcome: string });
    expect(lines.map((l) => [l.seq, l.action, l.outcome])).toEqual([
      [1, 'deployment.create', 'allowed'],
      [2, 'deployment.create', 'allowed'],
      [3, 'deployment.rollback', 'denied'],
    ]);
    const future = await runSlipway(['audit', 'export', '--since', '2099-01-01'], { cwd, env });
    expect([future.code, future.stdout]).toEqual([0, '']);
    const bad = await runSlipway(['audit', 'export', '--since', '2026-02-31'], { cwd, env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--since "2026-02-31" is not a date/);
  }, 30_000);

  it('export takes --since as slipway kpis does (30d), and without it prints the whole log', async () => {
    const whole = await runSlipway(['audit', 'export'], { cwd, env });
    expect([whole.code, whole.stderr]).toEqual([0, '']);
    expect(whole.stdout.trimEnd().split('\n')).toHaveLength(3);
    const month = await runSlipway(['audit', 'export', '--since', '30d'], { cwd, env });
    expect([month.code, month.stderr, month.stdout]).toEqual([0, '', whole.stdout]);
    const unitless = await runSlipway(['audit', 'export', '--since', '30'], { cwd, env });
    expect(unitless.code).toBe(2);
    expect(unitless.stderr).toMatch(/since: /);
    const help = await runSlipway(['audit', 'export', '--help'], { cwd, env });
    expect(help.stdout).toMatch(/--since <when>\s+a duration back from now \(30d, 12h/);
    expect(help.stdout).toMatch(/default: the whole\s+log/);
  }, 30_000);

  it('verify exits 0 on an intact log, and 1 naming the row after tampering', async () => {
    const ok = await runSlipway(['audit', 'verify'], { cwd, env });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/audit log intact: 3 rows; last row 3/);

    await h.db.exec(
      `alter table audit_log disable trigger user; update audit_log set actor = 'nobody' where seq = 2; alter table ` +
        `audit_log enable trigger user;`,
    );
    const broken = await runSlipway(['audit', 'verify'], { cwd, env });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/audit log is broken: row 2 was changed/);
    const json = await runSlipway(['audit', 'verify', '--json'], { cwd, env });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, rows: 2, firstBad: { seq: 2, reason: 'changed' } });
  }, 30_000);
});
