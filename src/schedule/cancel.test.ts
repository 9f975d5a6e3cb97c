import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harnessScheduler } from '../../test/support/schedule-harness.js';
import { engineHarness, type Harness } from '../../test/support/engine-harness.js';
import { isSlipwayError } from '../shared/errors.js';
import { listEvents } from '../store/repos/events.js';
import { claimScheduled, finishScheduled, getScheduled } from '../store/repos/scheduled-deployments.js';
import { cancelSchedule } from './cancel.js';
import { scheduleDeployment } from './schedule.js';

/** Cancelling a scheduled deployment: only a pending one, recorded, and never both cancelled and started. */
let h: Harness;
const T = Date.parse('2026-12-05T21:00:00Z');
const minute = 60_000;
let now = T;
let version = 0;
const scheduler = () => harnessScheduler(h, () => now);
const schedule = (runAt = T + 60 * minute, notifyBeforeMs = 30 * minute) =>
  scheduleDeployment(
    h.db,
    'harbor',
    { service: 'api', environment: 'staging', version: `3.0.${version++}`, runAt: new Date(runAt), notifyBeforeMs },
    'dana',
  );
const events = async (kind: string) =>
  (await listEvents(h.db, { project: 'harbor', limit: 1000 })).filter((e) => e.kind === kind);
/** The refusal a cancel gets: its code and message. */
const refused = async (id: string) => {
  try {
    await cancelSchedule(h.db, id, { name: 'erin' });
  } catch (e) {
    if (isSlipwayError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('the cancel was not refused');
};

beforeAll(async () => {
  h = await engineHarness();
  h.runtime.behaviour = () => 'healthy';
}, 60_000);
afterAll(async () => {
  await h?.close();
});

describe('cancelSchedule', () => {
  it('cancels a pending one (deployment.schedule.cancelled); it then gets no notice, never starts', async () => {
    const s = await schedule();
    const { before, after } = await cancelSchedule(h.db, s.id, { name: 'erin', reason: 'customer demo moved' });
    expect([before.state, after.state]).toEqual(['pending', 'cancelled']);
    expect([after.cancelledBy, after.cancelReason]).toEqual(['erin', 'customer demo moved']);
    const [event] = (await events('deployment.schedule.cancelled')).filter((e) => e.data.scheduled === s.id);
    expect(event!.message).toBe(
      `scheduled deployment of api ${s.version} to staging at 2026-12-05T22:00:00.000Z cancelled by erin: ` +
        'customer demo moved',
    );
    expect(event!.data).toMatchObject({ cancelledBy: 'erin', reason: 'customer demo moved', noticed: false });
    now = T + 61 * minute;
    await scheduler().tick();
    const kept = (await getScheduled(h.db, s.id))!;
    expect([kept.state, kept.deploymentId, kept.noticedAt]).toEqual(['cancelled', undefined, undefined]);
    expect((await events('maintenance.notice')).filter((e) => e.data.scheduled === s.id)).toEqual([]);
  });

  it('records that the maintenance notice had gone out', async () => {
    now = T;
    const s = await schedule(T + 200 * minute, 60 * minute);
    now = T + 150 * minute;
    await scheduler().tick();
    expect((await getScheduled(h.db, s.id))!.noticedAt).toBeDefined();
    await cancelSchedule(h.db, s.id, {});
    const [event] = (await events('deployment.schedule.cancelled')).filter((e) => e.data.scheduled === s.id);
    expect(event!.data).toMatchObject({ noticed: true, cancelledBy: null });
    expect(event!.message).not.toMatch(/ by |: /);
  });

  it('refuses an unknown id (not_found) and one that is not pending (conflict, naming its state)', async () => {
    expect(await refused('sch_missing')).toEqual({ code: 'not_found', message: 'no scheduled deployment sch_missing' });
    const cancelled = await schedule(T + 300 * minute);
    await cancelSchedule(h.db, cancelled.id, {});
    expect(await refused(cancelled.id)).toEqual({
      code: 'conflict',
      message: `scheduled deployment ${cancelled.id} (api ${cancelled.version} to staging) is already cancelled`,
    });
    const failed = await schedule(T + 301 * minute);
    await claimScheduled(h.db, failed.id, 'started');
    expect((await refused(failed.id)).message).toMatch(
      /is starting \(the coordinator claimed it at its time\): .* slipway scheduled --all; stop it with slipway abort/,
    );
    await finishScheduled(h.db, failed.id, { error: 'api 3.0.9 cannot go to staging yet' });
    expect((await refused(failed.id)).message).toMatch(/has already failed, it did not start: api 3.0.9 cannot go/);
    const started = await schedule(T + 302 * minute);
    await claimScheduled(h.db, started.id, 'started');
    await finishScheduled(h.db, started.id, { deploymentId: 'dep_x' });
    expect((await refused(started.id)).message).toMatch(
      /has already started as deployment dep_x: stop it with slipway abort dep_x$/,
    );
    expect((await events('deployment.schedule.cancelled')).filter((e) => e.data.scheduled === started.id)).toEqual([]);
  });

  it('a cancel racing the start at its time: exactly one wins, every time', async () => {
    for (let i = 0; i < 6; i++) {
      now = T + (400 + i * 10) * minute;
      const s = await schedule(now, 0);
      now += 500;
      const [cancel] = await Promise.allSettled([cancelSchedule(h.db, s.id, { name: 'erin' }), scheduler().tick()]);
      const row = (await getScheduled(h.db, s.id))!;
      const cancels = (await events('deployment.schedule.cancelled')).filter((e) => e.data.scheduled === s.id);
      const starts = (await events('deployment.schedule.started')).filter((e) => e.data.scheduled === s.id);
      if (cancel.status === 'fulfilled') {
        expect([row.state, row.deploymentId, cancels.length, starts.length]).toEqual(['cancelled', undefined, 1, 0]);
      } else {
        expect((cancel.reason as Error).message).toMatch(/is starting|has already started/);
        expect([row.state, cancels.length, starts.length]).toEqual(['started', 0, 1]);
        await h.waitFinished(row.deploymentId!);
      }
    }
  }, 60_000);

  it('a claim after a cancel gets nothing, and a cancel after a claim is refused', async () => {
    const a = await schedule(T + 900 * minute);
    await cancelSchedule(h.db, a.id, {});
    expect(await claimScheduled(h.db, a.id, 'started')).toBe(false);
    const b = await schedule(T + 901 * minute);
    expect(await claimScheduled(h.db, b.id, 'started')).toBe(true);
    expect((await refused(b.id)).code).toBe('conflict');
    expect((await getScheduled(h.db, b.id))!.state).toBe('started');
  });

  it('once started, the advice follows its deployment: abort it by id while it runs, how it ended after', async () => {
    /** Schedule one to production (where nothing else in this file deploys) at `at`, let the scheduler start it. */
    const started = async (at: number) => {
      now = at;
      const s = await scheduleDeployment(
        h.db,
        'harbor',
        {
          service: 'api',
          environment: 'production',
          version: `3.0.${version++}`,
          runAt: new Date(now),
          notifyBeforeMs: 0,
        },
        'dana',
      );
      now += 500;
      await scheduler().tick();
      return { s, dep: (await getScheduled(h.db, s.id))!.deploymentId! };
    };
    // Never healthy: it runs until its start timeout, then fails without having served.
    h.runtime.behaviour = () => 'starting';
    const slow = await started(T + 1000 * minute);
    expect((await refused(slow.s.id)).message).toMatch(
      new RegExp(`has already started as deployment ${slow.dep}: stop it with slipway abort ${slow.dep}$`),
    );
    await h.waitFinished(slow.dep);
    expect((await refused(slow.s.id)).message).toMatch(
      new RegExp(`as deployment ${slow.dep}, which failed at \\S+ \\(.+\\): nothing to stop$`),
    );
    h.runtime.behaviour = () => 'healthy';
    const first = await started(T + 1010 * minute);
    await h.waitFinished(first.dep);
    expect((await refused(first.s.id)).message).toMatch(
      /which succeeded at \S+; there is no earlier release of api in production to go back to$/,
    );
    const good = await started(T + 1015 * minute);
    await h.waitFinished(good.dep);
    expect((await refused(good.s.id)).message).toMatch(
      new RegExp(
        `as deployment ${good.dep}, which succeeded at \\S+; to undo it: slipway rollback api --env production ` +
          `\\(back to ${first.s.version}\\)$`,
      ),
    );
    const later = await started(T + 1020 * minute);
    await h.waitFinished(later.dep);
    expect((await refused(good.s.id)).message).toMatch(
      new RegExp(
        `which succeeded at \\S+; production has moved on since \\(it serves api ${later.s.version}\\): ` +
          'see slipway history api --env production$',
      ),
    );
  }, 30_000);
});
