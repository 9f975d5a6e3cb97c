import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineHarness, type Harness } from '../../test/support/engine-harness.js';
import { isSlipwayError } from '../shared/errors.js';
import { listScheduled } from '../store/repos/scheduled-deployments.js';
import { cancelSchedule } from './cancel.js';
import { scheduleDeployment } from './schedule.js';

/** Storing a schedule: one pending per version of a service there, and one per time, even when requests race. */
let h: Harness;
const T = Date.parse('2026-12-05T21:00:00Z');
const minute = 60_000;
const schedule = (version: string, runAt: number, environment = 'staging') =>
  scheduleDeployment(
    h.db,
    'harbor',
    { service: 'api', environment, version, runAt: new Date(runAt), notifyBeforeMs: 30 * minute },
    'dana',
  );
/** The refusal a schedule gets: its code, message and data. */
const refused = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    if (isSlipwayError(e)) return { code: e.code, message: e.message, details: e.details };
    throw e;
  }
  throw new Error('the schedule was not refused');
};

beforeAll(async () => {
  h = await engineHarness();
}, 60_000);
afterAll(async () => {
  await h?.close();
});

describe('scheduleDeployment', () => {
  it('refuses another version of the service at the same time there, naming the one to cancel', async () => {
    const first = await schedule('9.9.9', T);
    const r = await refused(schedule('7.7.7', T));
    expect(r).toEqual({
      code: 'conflict',
      message:
        `api 9.9.9 is already scheduled for staging at 2026-12-05T21:00:00.000Z (${first.id}): two deployments of ` +
        'api cannot start there at the same time; pick another time (a later one waits for the earlier deployment ' +
        `to end), or cancel that one first: slipway scheduled cancel ${first.id}`,
      details: { scheduled: first.id },
    });
    // Another time, or another environment, is fine; so is the same time once the first is cancelled.
    await schedule('7.7.7', T + minute);
    await schedule('7.7.8', T, 'production');
    await cancelSchedule(h.db, first.id, {});
    await schedule('7.7.9', T);
  });

  it('the same version is refused at any time, as before', async () => {
    const first = await schedule('5.0.0', T + 100 * minute);
    expect((await refused(schedule('5.0.0', T + 200 * minute))).message).toBe(
      `api 5.0.0 is already scheduled for staging at ${new Date(T + 100 * minute).toISOString()} (${first.id}); ` +
        `to move it, cancel that one first: slipway scheduled cancel ${first.id}`,
    );
  });

  it('two versions racing for one time: exactly one is stored, every time', async () => {
    for (let i = 0; i < 5; i++) {
      const at = T + (300 + i) * minute;
      const results = await Promise.allSettled([schedule(`6.${i}.0`, at), schedule(`6.${i}.1`, at)]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const stored = (await listScheduled(h.db, { project: 'harbor', environment: 'staging' })).filter(
        (s) => s.runAt.getTime() === at,
      );
      expect(stored).toHaveLength(1);
    }
  });
});
