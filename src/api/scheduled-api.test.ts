import { testApi } from '../../test/support/api-harness.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineHarness, type Harness } from '../../test/support/engine-harness.js';
import { validateConfigObject } from '../config/validate.js';
import { newId } from '../shared/ids.js';
import { listEvents } from '../store/repos/events.js';
import { markWaiting } from '../store/repos/scheduled-deployments.js';
import { insertToken } from '../store/repos/tokens.js';
import { generateToken, hashToken } from './auth.js';

/**
 * POST / GET scheduled-deployments: freezes refuse at creation, emergencies need admin, the event is recorded; and
 * POST scheduled-deployments/:id/cancel: a pending one only, authorized in its environment, audited.
 */
let h: Harness;
let app: FastifyInstance;
const deployer = generateToken();
const admin = generateToken();
const stagingDeployer = generateToken();
const viewer = generateToken();
const day = 86_400_000;
// A freeze from 3 to 5 days ahead, whatever day the test runs.
const freezeFrom = new Date(Date.now() + 3 * day).toISOString();
const freezeUntil = new Date(Date.now() + 5 * day).toISOString();

beforeAll(async () => {
  const config = validateConfigObject(
    {
      project: 'harbor',
      environments: {
        staging: { listen: '127.0.0.1:18081' },
        production: {
          listen: '127.0.0.1:18082',
          requires: ['staging'],
          soak: '2h',
          approvals: { required: 1 },
          freezes: [{ from: freezeFrom, until: freezeUntil, message: 'quarter-end freeze' }],
        },
      },
      services: { api: { command: 'node', args: ['server.js'] } },
    },
    { baseDir: '/srv/harbor' },
  );
  h = await engineHarness(config);
  for (const [name, token, role] of [
    ['ci', deployer, 'deployer'],
    ['root', admin, 'admin'],
    ['stager', stagingDeployer, 'deployer'],
    ['watcher', viewer, 'viewer'],
  ] as const)
    await insertToken(h.db, {
      id: newId('tok'),
      name,
      hash: hashToken(token),
      grants: [{ role, environments: name === 'stager' ? ['staging'] : '*' }],
    });
  app = await testApi(h);
}, 60_000);
afterAll(async () => {
  await app?.close();
  await h?.close();
});

const post = (payload: Record<string, unknown>, token = deployer) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/projects/harbor/scheduled-deployments',
    headers: { authorization: `Bearer ${token}` },
    payload: { service: 'api', environment: 'production', version: '1.4.3', ...payload },
  });

describe('scheduled deployments API', () => {
  it('schedules outside a freeze, records deployment.scheduled, lists it', async () => {
    const at = new Date(Date.now() + day).toISOString();
    const res = await post({ at, notifyBefore: '30m' });
    expect(res.statusCode).toBe(201);
    const { scheduled } = res.json();
    expect(scheduled).toMatchObject({ environment: 'production', version: '1.4.3', state: 'pending', at });
    expect(scheduled.notifyBeforeMs).toBe(30 * 60_000);
    const event = (await listEvents(h.db, { project: 'harbor' })).find((e) => e.kind === 'deployment.scheduled');
    expect(event?.data).toMatchObject({ scheduled: scheduled.id, runAt: at, requestedBy: 'ci' });
    const list = await app.inject({
      url: '/api/v1/projects/harbor/scheduled-deployments',
      headers: { authorization: `Bearer ${deployer}` },
    });
    expect(list.json().scheduled.map((s: { id: string }) => s.id)).toEqual([scheduled.id]);
    // The same version again, at any time: refused, naming the one to cancel (two notices, then a failed start).
    const twice = await post({ at: new Date(Date.now() + 2 * day).toISOString() });
    expect([twice.statusCode, twice.json().error.message]).toEqual([
      409,
      `api 1.4.3 is already scheduled for production at ${at} (${scheduled.id}); to move it, cancel that one ` +
        `first: slipway scheduled cancel ${scheduled.id}`,
    ]);
  });

  it('a time in a freeze is a 409 naming it; an admin emergency goes through, a deployer one is 403', async () => {
    const at = new Date(Date.now() + 4 * day).toISOString();
    const frozen = await post({ at });
    expect(frozen.statusCode).toBe(409);
    expect(frozen.json().error.message).toMatch(/^at: .* falls in a freeze of production \(quarter-end freeze/);
    const emergency = { reason: 'CVE-2026-1234 hotfix cannot wait' };
    expect((await post({ at, emergency })).statusCode).toBe(403);
    const ok = await post({ at, emergency, version: '1.4.5' }, admin);
    expect(ok.statusCode).toBe(201);
    expect(ok.json().scheduled.emergency).toBe(emergency.reason);
  });

  it('promotion rules now: not through staging yet is a warning, or a 409 when it cannot be by then', async () => {
    const at = new Date(Date.now() + day).toISOString();
    const later = await post({ at, version: '1.4.4' });
    expect(later.statusCode).toBe(201);
    // Approvals too, in the immediate deploy's words: it may be approved before its time, so a warning.
    expect(later.json().warnings).toEqual([
      expect.stringMatching(/^api 1\.4\.4 cannot go to production yet: .* to staging yet; unless it is by /),
      `production needs 1 approval of api 1.4.4; has none; waits for 1 more from: role:approver; unless it is ` +
        `approved by ${at}, the scheduled deployment will fail then`,
    ]);
    const soon = await post({ at: new Date(Date.now() + 3_600_000).toISOString(), version: '1.4.4' });
    expect([soon.statusCode, soon.json().error.message]).toEqual([
      409,
      expect.stringMatching(/to staging yet, and could not soak there 2h00m before /),
    ]);
    const staging = await post({ at: new Date(Date.now() + 3_600_000).toISOString(), environment: 'staging' });
    expect([staging.statusCode, staging.json().warnings]).toEqual([201, undefined]);
  });

  it('one waiting behind a running deployment is listed pending, with what it waits behind, until when', async () => {
    const { scheduled } = (await post({ at: new Date(Date.now() + day).toISOString(), version: '1.4.6' })).json();
    const wait = { behind: 'dep_blocking', since: new Date(Date.now() + day), until: new Date(Date.now() + 2 * day) };
    await markWaiting(h.db, scheduled.id, wait);
    const list = await app.inject({
      url: '/api/v1/projects/harbor/scheduled-deployments',
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(list.json().scheduled.find((s: { id: string }) => s.id === scheduled.id)).toMatchObject({
      state: 'pending',
      waiting: { behind: 'dep_blocking', since: wait.since.toISOString(), until: wait.until.toISOString() },
    });
  });

  it('bad input: a 400 naming the field', async () => {
    const notDate = await post({ at: 'tomorrow' });
    expect([notDate.statusCode, notDate.json().error.message]).toEqual([400, expect.stringMatching(/at/)]);
    const past = await post({ at: '2020-01-01T00:00:00Z' });
    expect(past.json().error.message).toMatch(/^at: 2020-01-01T00:00:00.000Z is in the past/);
    const notify = await post({ at: new Date(Date.now() + day).toISOString(), notifyBefore: 'soon' });
    expect([notify.statusCode, notify.json().error.message]).toEqual([400, expect.stringMatching(/^notifyBefore: /)]);
    const unknown = await post({ at: new Date(Date.now() + day).toISOString(), environment: 'qa' });
    expect(unknown.statusCode).toBe(404);
  });
});

describe('cancelling a scheduled deployment', () => {
  const cancel = (id: string, token = deployer, payload: Record<string, unknown> = {}) =>
    app.inject({
      method: 'POST',
      url: `/api/v1/scheduled-deployments/${id}/cancel`,
      headers: { authorization: `Bearer ${token}` },
      payload,
    });
  const audited = async (id: string) =>
    (
      await h.db.query<{ actor: string; action: string; outcome: string; status: number; after: unknown }>(
        `select split_part(actor, ' ', 1) as actor, action, outcome, status, after from audit_log
          where target like $1 order by seq`,
        [`%id=${id}%`],
      )
    ).rows;

  it('a deployer there cancels a pending one (200, audited, event); a second cancel is a 409', async () => {
    const { scheduled } = (await post({ at: new Date(Date.now() + 2 * day).toISOString(), version: '1.5.0' })).json();
    const res = await cancel(scheduled.id, deployer, { reason: 'moved to next week' });
    expect(res.statusCode).toBe(200);
    expect(res.json().scheduled).toMatchObject({ id: scheduled.id, state: 'cancelled', version: '1.5.0' });
    const event = (await listEvents(h.db, { project: 'harbor' })).find(
      (e) => e.kind === 'deployment.schedule.cancelled' && e.data.scheduled === scheduled.id,
    );
    expect(event?.data).toMatchObject({ cancelledBy: 'ci', reason: 'moved to next week' });
    const again = await cancel(scheduled.id);
    expect([again.statusCode, again.json().error.message]).toEqual([
      409,
      `scheduled deployment ${scheduled.id} (api 1.5.0 to production) is already cancelled`,
    ]);
    expect(await audited(scheduled.id)).toMatchObject([
      {
        actor: 'ci',
        action: 'deployment.schedule.cancel',
        outcome: 'allowed',
        status: 200,
        after: { state: 'cancelled', reason: 'moved to next week' },
      },
      { actor: 'ci', action: 'deployment.schedule.cancel', status: 409 },
    ]);
    const list = await app.inject({
      url: '/api/v1/projects/harbor/scheduled-deployments?all=true',
      headers: { authorization: `Bearer ${deployer}` },
    });
    const listed = list.json().scheduled.find((s: { id: string }) => s.id === scheduled.id);
    expect(listed).toMatchObject({ state: 'cancelled', cancelledBy: 'ci', cancelReason: 'moved to next week' });
  });

  it('a viewer or a deployer elsewhere is refused (403, audited as denied); unknown id 404', async () => {
    const { scheduled } = (await post({ at: new Date(Date.now() + 2 * day).toISOString(), version: '1.5.1' })).json();
    for (const token of [viewer, stagingDeployer]) {
      const res = await cancel(scheduled.id, token);
      expect(res.statusCode).toBe(403);
      expect(res.json().error.message).toMatch(/^deployer on production required; token "(watcher|stager)" has/);
    }
    expect((await audited(scheduled.id)).map((r) => [r.actor, r.outcome, r.status])).toEqual([
      ['watcher', 'denied', 403],
      ['stager', 'denied', 403],
    ]);
    const missing = await cancel('sch_missing');
    expect([missing.statusCode, missing.json().error.message]).toEqual([404, 'no scheduled deployment sch_missing']);
    expect((await cancel(scheduled.id, deployer, { reason: '' })).statusCode).toBe(400);
  });
});
