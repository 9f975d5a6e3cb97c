import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harnessScheduler } from '../../test/support/schedule-harness.js';
import { engineHarness, type Harness } from '../../test/support/engine-harness.js';
import { validateConfigObject } from '../config/validate.js';
import { silentLogger } from '../shared/logging.js';
import { activeDeployment } from '../store/repos/deployments.js';
import { listEvents } from '../store/repos/events.js';
import { getScheduled } from '../store/repos/scheduled-deployments.js';
import { cancelSchedule } from './cancel.js';
import { scheduleDeployment } from './schedule.js';
import { DeploymentScheduler } from './scheduler.js';

/**
 * A scheduled deployment whose time comes while another deployment of its service runs there: it waits behind that
 * one (recorded, visible), starts when it ends, and gives up after a bound. Real engine and store, fake runtime:
 * releases 9.x never get healthy (a minute's start timeout), so they run until aborted.
 */
let h: Harness;
const T = Date.parse('2026-12-05T21:00:00Z');
const minute = 60_000;
let now = T;
let blockers = 0;
const scheduler = () => harnessScheduler(h, () => now, { maxWaitMs: 60 * minute });
const config = (freezes: unknown[] = []) =>
  validateConfigObject(
    {
      project: 'harbor',
      environments: { staging: { listen: '127.0.0.1:18081', freezes }, production: { listen: '127.0.0.1:18082' } },
      services: { api: { command: 'node', args: ['server.js'], health: { interval: '50ms', startTimeout: '60s' } } },
    },
    { baseDir: '/srv/harbor' },
  );
/** A deployment of staging that stays running until `end` aborts it. */
async function blocker() {
  const d = await h.engine.deploy({
    project: 'harbor',
    service: 'api',
    environment: 'staging',
    version: `9.0.${blockers++}`,
  });
  return {
    id: d.id,
    end: async () => {
      await h.engine.abort(d.id, 'the test is done with it');
      await h.waitFinished(d.id);
    },
  };
}
const schedule = (version: string, runAt: number) =>
  scheduleDeployment(h.db, 'harbor', {
    service: 'api',
    environment: 'staging',
    version,
    runAt: new Date(runAt),
    notifyBeforeMs: 0,
  });
const eventsOf = async (kind: string, id: string) =>
  (await listEvents(h.db, { project: 'harbor', limit: 1000 })).filter(
    (e) => e.kind === kind && e.data.scheduled === id,
  );

beforeAll(async () => {
  h = await engineHarness(config());
  h.runtime.behaviour = (spec) => (spec.release.startsWith('9.') ? 'starting' : 'healthy');
}, 60_000);
afterAll(async () => {
  await h?.close();
});

describe('a scheduled deployment that meets a running one', () => {
  it('waits behind it (once recorded, however many schedulers look), then starts once when it ends', async () => {
    const running = await blocker();
    const s = await schedule('5.0.0', T + 10 * minute);
    now = T + 10 * minute;
    // Two schedulers at once: the leader and one that has not yet seen it lost the lease.
    await Promise.all([scheduler().tick(), scheduler().tick()]);
    await scheduler().tick();
    const waiting = (await getScheduled(h.db, s.id))!;
    expect(waiting).toMatchObject({
      state: 'pending',
      waitingBehind: running.id,
      waitingSince: new Date(now),
      waitUntil: new Date(now + 60 * minute),
    });
    const waits = await eventsOf('deployment.schedule.waiting', s.id);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toMatchObject({ deploymentId: running.id, data: { blocking: running.id } });
    expect(waits[0]!.message).toBe(
      `scheduled deployment ${s.id} of api 5.0.0 to staging waits behind deployment ${running.id}, still ` +
        'running; it starts when that one ends, or gives up at 2026-12-05T22:10:00.000Z',
    );

    await running.end();
    // Later than the 15 minutes a missed schedule is allowed: it was waiting, not missed.
    now = T + 30 * minute;
    await Promise.all([scheduler().tick(), scheduler().tick()]);
    const started = (await getScheduled(h.db, s.id))!;
    expect(started.state).toBe('started');
    expect((await h.waitFinished(started.deploymentId!)).state).toBe('succeeded');
    const announced = await eventsOf('deployment.schedule.started', s.id);
    expect(announced).toHaveLength(1);
    expect(announced[0]!.message).toBe(
      `scheduled deployment ${s.id} started as ${started.deploymentId} after waiting 20m00s behind ${running.id}`,
    );
  });

  it('gives up after the bound, naming the deployment it waited behind', async () => {
    const running = await blocker();
    const s = await schedule('5.0.1', T + 100 * minute);
    now = T + 100 * minute;
    await scheduler().tick();
    now = T + 160 * minute - 1;
    await scheduler().tick();
    expect((await getScheduled(h.db, s.id))!.state).toBe('pending');
    now = T + 160 * minute;
    await scheduler().tick();
    const failed = (await getScheduled(h.db, s.id))!;
    expect(failed.state).toBe('failed');
    expect(failed.error).toBe(
      `gave up at 2026-12-05T23:40:00.000Z after waiting 1h00m behind deployment ${running.id}, which is still ` +
        'running',
    );
    expect(await eventsOf('deployment.schedule.failed', s.id)).toHaveLength(1);
    await running.end();
    await scheduler().tick();
    expect((await getScheduled(h.db, s.id))!.state).toBe('failed');
  });

  it('one that begins between the look and the start: the claim is put back; it waits behind that one', async () => {
    const s = await schedule('5.0.4', T + 250 * minute);
    now = T + 250 * minute;
    let racer: Awaited<ReturnType<typeof blocker>> | undefined;
    const racing = new DeploymentScheduler({
      db: h.db,
      logger: silentLogger,
      now: () => now,
      deploy: async (r) => {
        racer ??= await blocker();
        return h.engine.deploy({ ...r, strategy: undefined });
      },
    });
    await racing.tick();
    expect(await getScheduled(h.db, s.id)).toMatchObject({ state: 'pending', waitingBehind: racer!.id });
    expect(await eventsOf('deployment.schedule.waiting', s.id)).toHaveLength(1);
    await racer!.end();
    await racing.tick();
    const started = (await getScheduled(h.db, s.id))!;
    expect(started.state).toBe('started');
    expect((await h.waitFinished(started.deploymentId!)).state).toBe('succeeded');
  });

  it('a cancel while it waits holds: it never starts', async () => {
    const running = await blocker();
    const s = await schedule('5.0.2', T + 200 * minute);
    now = T + 200 * minute;
    await scheduler().tick();
    expect((await getScheduled(h.db, s.id))!.waitingBehind).toBe(running.id);
    await cancelSchedule(h.db, s.id, { name: 'dana', reason: 'not tonight' });
    await running.end();
    now = T + 201 * minute;
    await scheduler().tick();
    expect((await getScheduled(h.db, s.id))!.state).toBe('cancelled');
    expect(await activeDeployment(h.db, 'harbor', 'api', 'staging')).toBeUndefined();
    expect(await eventsOf('deployment.schedule.started', s.id)).toHaveLength(0);
  });

  it('a freeze in force when the other one ends: fails with the freeze, as at its time', async () => {
    const running = await blocker();
    const s = await schedule('5.0.3', T + 300 * minute);
    now = T + 300 * minute;
    await scheduler().tick();
    await h.engine.applyProject(
      config([{ from: '2026-01-01T00:00:00Z', until: '2027-06-01T00:00:00Z', message: 'year-end freeze' }]),
    );
    await running.end();
    now = T + 301 * minute;
    await scheduler().tick();
    const failed = (await getScheduled(h.db, s.id))!;
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/^staging is frozen until .*year-end freeze/);
    expect(failed.deploymentId).toBeUndefined();
  });
});
