import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harnessScheduler } from '../../test/support/schedule-harness.js';
import { engineHarness, harnessConfig, type Harness } from '../../test/support/engine-harness.js';
import { validateConfigObject } from '../config/validate.js';
import { getDeployment } from '../store/repos/deployments.js';
import { listEvents } from '../store/repos/events.js';
import { getScheduled } from '../store/repos/scheduled-deployments.js';
import { scheduleDeployment } from './schedule.js';

/** Scheduled deployments on a real engine and store (fake runtime); time is the scheduler's injected clock. */
let h: Harness;
const T = Date.parse('2026-12-05T21:00:00Z');
const minute = 60_000;
let now = T;
const scheduler = () => harnessScheduler(h, () => now);
/** Schedule api `version` in staging for `runAt` (no notice), let the scheduler tick at `tickAt`, read it back. */
async function tickedAt(version: string, runAt: number, tickAt: number) {
  const s = await scheduleDeployment(h.db, 'harbor', {
    service: 'api',
    environment: 'staging',
    version,
    runAt: new Date(runAt),
    notifyBeforeMs: 0,
  });
  now = tickAt;
  await scheduler().tick();
  return (await getScheduled(h.db, s.id))!;
}
const kinds = async () => (await listEvents(h.db, { project: 'harbor', limit: 1000 })).map((e) => e.kind);

beforeAll(async () => {
  h = await engineHarness();
  h.runtime.behaviour = () => 'healthy';
}, 60_000);
afterAll(async () => {
  await h?.close();
});

describe('DeploymentScheduler', () => {
  it('announces once notifyBefore ahead, then starts the deployment at its time through the engine', async () => {
    const s = await scheduleDeployment(
      h.db,
      'harbor',
      {
        service: 'api',
        environment: 'staging',
        version: '2.0.0',
        runAt: new Date(T + 60 * minute),
        notifyBeforeMs: 30 * minute,
      },
      'dana',
    );
    expect(await kinds()).toContain('deployment.scheduled');
    now = T;
    await scheduler().tick();
    expect(await kinds()).not.toContain('maintenance.notice');
    now = T + 31 * minute;
    await scheduler().tick();
    await scheduler().tick();
    const notices = (await listEvents(h.db, { project: 'harbor' })).filter((e) => e.kind === 'maintenance.notice');
    expect(notices).toHaveLength(1);
    expect(notices[0]!.message).toBe(
      'maintenance: api 2.0.0 will be deployed to staging at 2026-12-05T22:00:00.000Z (in 29m00s)',
    );
    expect(notices[0]!.data).toMatchObject({ scheduled: s.id, version: '2.0.0', notifyBeforeMs: 30 * minute });
    expect((await getScheduled(h.db, s.id))!.state).toBe('pending');

    // A scheduler built afresh (a restarted coordinator) starts it, once, however many check.
    now = T + 60 * minute + 500;
    await Promise.all([scheduler().tick(), scheduler().tick()]);
    const started = (await getScheduled(h.db, s.id))!;
    expect(started.state).toBe('started');
    const d = await h.waitFinished(started.deploymentId!);
    expect([d.state, d.requestedBy, d.environment]).toEqual(['succeeded', 'dana (scheduled)', 'staging']);
    expect((await kinds()).filter((k) => k === 'deployment.schedule.started')).toHaveLength(1);
  });

  it('one the coordinator missed by more than the grace is failed, not started', async () => {
    const failed = await tickedAt('2.0.1', T + 120 * minute, T + 140 * minute);
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/^missed: the coordinator was not running at 2026-12-05T23:00:00.000Z/);
  });

  it('a freeze added after scheduling: the engine refuses at start, the schedule fails with its reason', async () => {
    const raw = harnessConfig();
    const frozen = validateConfigObject(
      {
        project: 'harbor',
        environments: {
          staging: { listen: '127.0.0.1:18081' },
          production: {
            listen: '127.0.0.1:18082',
            freezes: [{ from: '2026-01-01T00:00:00Z', until: '2027-01-01T00:00:00Z', message: 'year-end freeze' }],
          },
        },
        services: { api: { command: 'node', args: ['server.js'], health: { interval: '50ms', startTimeout: '2s' } } },
      },
      { baseDir: raw.baseDir },
    );
    const s = await scheduleDeployment(h.db, 'harbor', {
      service: 'api',
      environment: 'production',
      version: '2.0.2',
      runAt: new Date(T + 200 * minute),
      notifyBeforeMs: 0,
    });
    await h.engine.applyProject(frozen);
    now = T + 200 * minute + 1000;
    await scheduler().tick();
    const failed = (await getScheduled(h.db, s.id))!;
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/production is frozen until .*year-end freeze/);
    expect(await getDeployment(h.db, failed.deploymentId ?? 'none')).toBeUndefined();
    expect(await kinds()).toContain('deployment.schedule.failed');
  });
});
