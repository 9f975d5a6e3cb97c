import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { System } from './support/system.js';

/**
 * Delivery figures and stakeholder communication on a real coordinator, proxy and instances: the coordinator's
 * prober measures availability through the proxy, `slipway kpis` shows it against the targets, the public status
 * page answers without a token, and a deployment scheduled with --at is announced and started by the coordinator,
 * or cancelled with `slipway scheduled cancel`.
 */
let system: System;

async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

beforeAll(async () => {
  system = await System.start({ instances: 1 });
  expect((await system.deployed('1.0.0')).state).toBe('succeeded');
}, 120_000);
afterAll(async () => {
  await system?.close();
}, 120_000);

describe('delivery KPIs and stakeholder communication through the CLI', () => {
  it('availability is probed through the proxy and shown by slipway kpis against the targets', async () => {
    const staging = await eventually('two probe rounds', async () => {
      const r = await system.cli(['kpis', '--since', '1h', '--env', 'staging', '--json']);
      expect(r.code).toBe(0);
      const kpis = JSON.parse(r.stdout).environments[0].kpis;
      return kpis.availability.probes >= 2 ? kpis : undefined;
    });
    expect(staging.availability).toMatchObject({ probeFailures: 0, uptime: 1, check: { status: 'pass' } });
    expect(staging.deployments).toMatchObject({ finished: 1, succeeded: 1 });
    const human = await system.cli(['kpis', '--since', '1h', '--env', 'staging']);
    expect(human.stdout).toMatch(/uptime \(probes\)\s+100 % of \d+\s+≥ 99\.9 %\s+pass/);
    // No failure in a minute of history: not known yet, neither a pass nor a miss, and it says why.
    expect(staging.mtbf).toMatchObject({ valueMs: null, failures: 0, check: { status: 'unknown' } });
    expect(staging.mtbf.check.note).toMatch(/^no failure in \S+ of history; needs 30d to judge$/);
    expect(human.stdout).toMatch(
      /MTBF\s+≥ \S+ \(no failure\)\s+≥ 30d\s+no data: no failure in \S+ of history; needs 30d to judge\n/,
    );
    const bad = await system.cli(['kpis', '--since', 'soon']);
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringMatching(/--since soon is neither a duration/)]);
    // The flags typed, not the API's fields: a date ahead of now, and one after --until.
    const ahead = new Date(Date.now() + 400 * 86_400_000).toISOString().slice(0, 10);
    const future = await system.cli(['kpis', '--since', ahead]);
    expect([future.code, future.stderr]).toEqual([2, expect.stringContaining(`--since ${ahead} is in the future`)]);
    const order = await system.cli(['kpis', '--since', '2026-12-02', '--until', '2026-12-01']);
    expect(order.stderr).toContain('--since 2026-12-02 must be before --until 2026-12-01');
  }, 90_000);

  it('the status page needs no token and names no internals', async () => {
    const res = await request(`http://127.0.0.1:${system.workspace.ports.coordinator}/status/harbor-quote`);
    const html = await res.body.text();
    expect(res.statusCode).toBe(200);
    expect(html).toMatch(/staging <span[^>]*>operational<\/span>/);
    for (const internal of ['1.0.0', '127.0.0.1', String(system.workspace.ports.staging)])
      expect(html).not.toContain(internal);
    const base = `http://127.0.0.1:${system.workspace.ports.coordinator}`;
    expect((await request(`${base}/status/harbor-quote/`)).statusCode).toBe(200);
    // Not a project's page: one plain HTML 404, never the dashboard app the catch-all serves.
    const notFound = await (await request(`${base}/status/`)).body.text();
    for (const path of ['/status', '/status/nope', '/status/harbor-quote/extra']) {
      const r = await request(`${base}${path}`);
      expect([path, r.statusCode, r.headers['content-type'], await r.body.text()]).toEqual([
        path,
        404,
        'text/html; charset=utf-8',
        notFound,
      ]);
    }
  });

  it('slipway deploy --at: announced notifyBefore ahead, then started by the coordinator', async () => {
    const at = new Date(Date.now() + 12_000).toISOString();
    const r = await system.cli([
      'deploy',
      'quote-api',
      '--env',
      'staging',
      '--version',
      '1.1.0',
      '--at',
      at,
      '--notify-before',
      '6s',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^scheduled sch_\\S+: quote-api 1\\.1\\.0 to staging at ${at}`));
    const pending = JSON.parse((await system.cli(['scheduled', '--json'])).stdout).scheduled;
    expect(pending).toEqual([expect.objectContaining({ version: '1.1.0', state: 'pending', notifyBeforeMs: 6_000 })]);
    // The scheduler writes `started` when it claims the schedule (so it starts once), and the deployment's id once the
    // deployment is created: a look in between saw `started` without it (CI, 2026-12-07). Wait for the end of both.
    const started = await eventually('the scheduled deployment to start', async () => {
      const all = JSON.parse((await system.cli(['scheduled', '--all', '--json'])).stdout).scheduled;
      const s = all[0];
      return s?.state === 'pending' || (s?.state === 'started' && !s.deployment) ? undefined : s;
    });
    // On failure the message says why it did not start (its error), not just that it did not (seen once at load 9).
    expect(started, JSON.stringify(started)).toMatchObject({
      state: 'started',
      deployment: expect.stringMatching(/^dep_/),
    });
    const d = await system.finish(started.deployment);
    expect([d.state, d.to.version]).toEqual(['succeeded', '1.1.0']);
    const { events } = await system.client.call<{
      events: { kind: string; at: string; data: { scheduled?: string } }[];
    }>('GET', `/api/v1/events?project=harbor-quote&environment=staging&limit=5000`);
    const notice = events.find((e) => e.kind === 'maintenance.notice' && e.data.scheduled === started.id);
    expect(notice).toBeDefined();
    expect(Date.parse(notice!.at)).toBeLessThan(Date.parse(at));
    const inFreezeLess = await system.cli([
      'deploy',
      'quote-api',
      '--env',
      'staging',
      '--version',
      '1.2.0',
      '--at',
      'x',
    ]);
    expect([inFreezeLess.code, inFreezeLess.stderr]).toEqual([
      2,
      expect.stringMatching(/--at x: expected an ISO time/),
    ]);
    // The coordinator's refusals name the flags typed, not its body fields (at:, notifyBefore:).
    const refused = (...flags: string[]) =>
      system.cli(['deploy', 'quote-api', '--env', 'staging', '--version', '1.2.0', ...flags]);
    const past = await refused('--at', '2020-01-01T00:00:00Z');
    expect([past.code, past.stderr]).toEqual([
      2,
      expect.stringContaining('--at: 2020-01-01T00:00:00.000Z is in the past'),
    ]);
    const later = new Date(Date.now() + 86_400_000).toISOString();
    const badNotice = await refused('--at', later, '--notify-before', '1x');
    expect(badNotice.stderr).toContain('--notify-before 1x: must be a duration like 30s');
    const windowless = await refused('--at', 'next-window');
    expect(windowless.stderr).toContain('--at: next-window, but staging has no deployment windows');
  }, 120_000);

  it('one due while another deployment runs there waits behind it, listed as waiting, then starts', async () => {
    // 1.3.0 listens only after 8 s: still rolling out when 1.4.0 falls due 4 s from now.
    const running = await system.deploy('1.3.0', { set: { SLOW_START_MS: '8000' } });
    const at = new Date(Date.now() + 4000).toISOString();
    const r = await system.cli(['deploy', 'quote-api', '--env', 'staging', '--version', '1.4.0', '--at', at]);
    expect(r.code, r.stderr).toBe(0);
    const id = /^scheduled (sch_\S+):/.exec(r.stdout)![1]!;
    const waiting = await eventually('it to wait', async () => {
      const list = JSON.parse((await system.cli(['scheduled', '--json'])).stdout).scheduled;
      return list.find((s: { id: string; waiting?: unknown }) => s.id === id && s.waiting);
    });
    expect(waiting).toMatchObject({ state: 'pending', waiting: { behind: running.id } });
    const listed = (await system.cli(['scheduled'])).stdout.split('\n').find((l) => l.startsWith(id));
    expect(listed).toMatch(new RegExp(`waiting\\s+behind ${running.id} since \\S+; gives up at \\S+$`));

    expect((await system.finish(running.id)).state).toBe('succeeded');
    const started = await eventually('it to start', async () => {
      const all = JSON.parse((await system.cli(['scheduled', '--all', '--json'])).stdout).scheduled;
      const s = all.find((x: { id: string }) => x.id === id);
      return s?.deployment ? s : undefined;
    });
    expect(started.state).toBe('started');
    expect((await system.finish(started.deployment)).state).toBe('succeeded');
    // Too late to cancel: it says how its deployment ended, and the command that undoes it, which works as pasted.
    const late = await system.cli(['scheduled', 'cancel', id]);
    expect([late.code, late.stderr]).toEqual([
      5,
      expect.stringContaining(`has already started as deployment ${started.deployment}, which succeeded at `),
    ]);
    const undo = /to undo it: (slipway rollback .*) \(back to 1\.3\.0\)$/m.exec(late.stderr)?.[1];
    expect(undo).toBe('slipway rollback quote-api --env staging');
    const rolledBack = await system.cli(undo!.split(' ').slice(1));
    expect(rolledBack.code, rolledBack.stderr).toBe(0);
    const { events } = await system.client.call<{ events: { kind: string; data: Record<string, unknown> }[] }>(
      'GET',
      `/api/v1/events?project=harbor-quote&environment=staging&limit=5000`,
    );
    const waits = events.filter((e) => e.kind === 'deployment.schedule.waiting' && e.data.scheduled === id);
    expect(waits.map((e) => e.data.blocking)).toEqual([running.id]);
  }, 120_000);

  it('slipway scheduled cancel: a pending one is off (0); again 5, unknown 3, denied 4, no id 2', async () => {
    const at = new Date(Date.now() + 86_400_000).toISOString();
    const r = await system.cli(['deploy', 'quote-api', '--env', 'staging', '--version', '1.2.0', '--at', at]);
    expect(r.code, r.stderr).toBe(0);
    const id = /^scheduled (sch_\S+):/.exec(r.stdout)![1]!;
    const viewer = await system.cli(['tokens', 'create', '--name', 'onlooker', '--grant', 'viewer:*']);
    expect(viewer.code, viewer.stderr).toBe(0);
    const denied = await system.cli(['scheduled', 'cancel', id], viewer.stdout.trim());
    expect([denied.code, denied.stderr]).toEqual([4, expect.stringMatching(/deployer on staging required/)]);
    // slipway status lists what is scheduled to come, for a viewer too.
    const status = await system.cli(['status'], viewer.stdout.trim());
    expect(status.stdout).toMatch(
      new RegExp(`^  quote-api 1\\.2\\.0 → staging at ${at} \\(in (23h59m|24h00m)\\)  ${id}$`, 'm'),
    );

    const cancelled = await system.cli(['scheduled', 'cancel', id, '--reason', 'the demo moved to Friday']);
    expect([cancelled.code, cancelled.stdout, cancelled.stderr]).toEqual([
      0,
      `cancelled ${id}: quote-api 1.2.0 to staging at ${at}\n`,
      '',
    ]);
    const pending = JSON.parse((await system.cli(['scheduled', '--json'])).stdout).scheduled;
    expect(pending.map((s: { id: string }) => s.id)).not.toContain(id);
    const all = JSON.parse((await system.cli(['scheduled', '--all', '--json'])).stdout).scheduled;
    expect(all.find((s: { id: string }) => s.id === id)).toMatchObject({
      state: 'cancelled',
      version: '1.2.0',
      cancelReason: 'the demo moved to Friday',
    });
    const listed = (await system.cli(['scheduled', '--all'])).stdout.split('\n').find((l) => l.startsWith(id));
    expect(listed).toMatch(/cancelled\s+by \S+: the demo moved to Friday$/);
    const { events } = await system.client.call<{ events: { kind: string; data: Record<string, unknown> }[] }>(
      'GET',
      `/api/v1/events?project=harbor-quote&environment=staging&limit=5000`,
    );
    expect(
      events.find((e) => e.kind === 'deployment.schedule.cancelled' && e.data.scheduled === id)?.data,
    ).toMatchObject({ reason: 'the demo moved to Friday', noticed: false });

    const again = await system.cli(['scheduled', 'cancel', id]);
    expect([again.code, again.stderr]).toEqual([5, expect.stringMatching(/is already cancelled/)]);
    const unknown = await system.cli(['scheduled', 'cancel', 'sch_missing']);
    expect([unknown.code, unknown.stderr]).toEqual([3, expect.stringMatching(/no scheduled deployment sch_missing/)]);
    expect((await system.cli(['scheduled', 'cancel'])).code).toBe(2);
  }, 120_000);
});
