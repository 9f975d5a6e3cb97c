import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertPostgresReachable } from '../../test/support/store.js';
import { engineHarness, harnessConfig, type Harness } from '../../test/support/engine-harness.js';
import { SlipwayError } from '../shared/errors.js';
import { getDeployment } from '../store/repos/deployments.js';
import { listInstances } from '../store/repos/instances.js';
import { getServiceState } from '../store/repos/service-state.js';
import { listEvents } from '../store/repos/events.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const req = (version: string, extra: Record<string, unknown> = {}) => ({
  project: 'harbor',
  service: 'api',
  environment: 'staging',
  version,
  ...extra,
});

/** Weights per release version in the last table pushed for staging. */
function weights(harness: Harness): Record<string, number> {
  const table = harness.router.last('harbor.staging');
  const route = table?.routes.find((r) => r.service === 'api');
  return Object.fromEntries((route?.releases ?? []).map((s) => [s.release, s.weight]));
}

async function deployed(harness: Harness, version: string) {
  const d = await harness.engine.deploy(req(version));
  return harness.waitFinished(d.id);
}

// The engine runs on both store drivers: every repository query is exercised against PGlite and PostgreSQL.
for (const driver of ['pglite', 'postgres'] as const) {
  if (driver === 'postgres') beforeAll(assertPostgresReachable);
  describe(`engine: blue-green [${driver}]`, () => {
    it('a first deployment starts the instances, routes them and makes the release stable', async () => {
      h = await engineHarness(undefined, driver);
      const d = await deployed(h, '1.0.0');
      expect(d.state).toBe('succeeded');
      expect(weights(h)).toEqual({ '1.0.0': 100 });
      const live = await listInstances(h.db, { project: 'harbor', environment: 'staging', live: true });
      expect(live.map((i) => [i.desired, i.state])).toEqual([
        ['running', 'healthy'],
        ['running', 'healthy'],
      ]);
      const upstreams = h.router.last('harbor.staging')!.routes[0]!.releases[0]!.upstreams;
      expect(upstreams.map((u) => u.id).sort()).toEqual(live.map((i) => i.id).sort());
    });

    it('a second deployment switches all traffic at once and keeps the old set warm', async () => {
      h = await engineHarness(undefined, driver);
      await deployed(h, '1.0.0');
      const d = await deployed(h, '2.0.0');
      expect(d.state).toBe('succeeded');
      expect(weights(h)).toEqual({ '2.0.0': 100 });
      // Every pushed table either sends candidate traffic only when both sets are full, or none.
      const mixed = h.router.applied.flatMap((t) => t.routes).filter((r) => r.releases.length === 2);
      expect(mixed.length).toBeGreaterThan(0);
      for (const r of mixed) {
        const candidate = r.releases.find((s) => s.release === '2.0.0')!;
        if (candidate.weight > 0) expect(candidate.upstreams).toHaveLength(2);
      }
      const live = await listInstances(h.db, { project: 'harbor', environment: 'staging', live: true });
      const warm = live.filter((i) => i.desired === 'warm');
      expect(warm).toHaveLength(2);
      expect(warm.every((i) => i.retireAt && i.retireAt.getTime() > Date.now() + 4 * 60_000)).toBe(true);
      const state = await getServiceState(h.db, 'harbor', 'staging', 'api');
      expect(state?.previousRelease).toBe(d.fromRelease);
    });

    it('rollback while the old set is warm reuses it: no instance is started', async () => {
      h = await engineHarness(undefined, driver);
      await deployed(h, '1.0.0');
      await deployed(h, '2.0.0');
      const startedBefore = h.runtime.started.length;
      const { deployment, aborted } = await h.engine.rollback({
        project: 'harbor',
        service: 'api',
        environment: 'staging',
      });
      expect(aborted).toBe(false);
      const d = await h.waitFinished(deployment.id);
      expect(d.state).toBe('succeeded');
      expect(d.kind).toBe('rollback');
      expect(h.runtime.started.length).toBe(startedBefore);
      expect(weights(h)).toEqual({ '1.0.0': 100 });
      const live = await listInstances(h.db, { project: 'harbor', environment: 'staging', live: true });
      expect(live).toHaveLength(2); // the 2.0.0 set was stopped, not kept
    });
  });

  describe(`engine: failures roll back [${driver}]`, () => {
    it('a candidate that cannot start fails the deployment; traffic never reaches it; stable untouched', async () => {
      h = await engineHarness(undefined, driver);
      await deployed(h, '1.0.0');
      const stableIds = (await listInstances(h.db, { project: 'harbor', live: true })).map((i) => i.id);
      const tablesBefore = h.router.applied.length;
      h.runtime.behaviour = (spec) => (spec.release === '2.0.0' ? 'failed' : 'healthy');
      const d = await deployed(h, '2.0.0');
      expect(d.state).toBe('failed');
      expect(d.reason).toMatch(/^instance ins_\w+ of api 2\.0\.0 could not be started: exited at once/);
      expect(d.reason).toContain('--- last 1 log lines of');
      for (const t of h.router.applied.slice(tablesBefore)) {
        for (const s of t.routes[0]!.releases) if (s.release === '2.0.0') expect(s.weight).toBe(0);
      }
      expect(weights(h)).toEqual({ '1.0.0': 100 });
      const live = await listInstances(h.db, { project: 'harbor', live: true });
      expect(live.map((i) => i.id)).toEqual(stableIds);
      expect(h.runtime.stopped.some((id) => stableIds.includes(id))).toBe(false);
    });

    it('a candidate that never gets healthy fails at the start timeout, naming the instance', async () => {
      h = await engineHarness(undefined, driver);
      await deployed(h, '1.0.0');
      h.runtime.behaviour = (spec) => (spec.release === '2.0.0' ? 'starting' : 'healthy');
      const started = Date.now();
      const d = await deployed(h, '2.0.0');
      expect(d.state).toBe('failed');
      expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
      expect(d.reason).toMatch(/is not healthy after 2\.00s \(state starting\)/);
      expect(
        (await listInstances(h.db, { project: 'harbor', live: true })).every((i) => i.releaseId === d.fromRelease),
      ).toBe(true);
    });

    it('abort while waiting for the candidate: rolled back with the reason', async () => {
      h = await engineHarness(undefined, driver);
      await deployed(h, '1.0.0');
      h.runtime.behaviour = (spec) => (spec.release === '2.0.0' ? 'starting' : 'healthy');
      const d = await h.engine.deploy(req('2.0.0'));
      await new Promise((r) => setTimeout(r, 100));
      await h.engine.abort(d.id, 'changed my mind', 'dana');
      const final = await h.waitFinished(d.id);
      expect(final.state).toBe('rolled_back');
      expect(final.reason).toBe('changed my mind');
      expect(weights(h)).toEqual({ '1.0.0': 100 });
      const events = await listEvents(h.db, { deploymentId: d.id });
      expect(events.map((e) => e.kind)).toContain('deployment.rolling_back');
    });

    it('abort of a finished deployment is refused and says how to undo it', async () => {
      h = await engineHarness(undefined, driver);
      const d = await deployed(h, '1.0.0');
      await expect(h.engine.abort(d.id, 'x')).rejects.toThrow(
        /already finished \(succeeded\); to undo it, run: slipway rollback api --env staging/,
      );
    });
  });

  describe(`engine: one deployment per service and environment [${driver}]`, () => {
    it('a second request is refused naming the running one; with queue it runs afterwards', async () => {
      h = await engineHarness(undefined, driver);
      h.runtime.behaviour = () => 'starting';
      const first = await h.engine.deploy(req('1.0.0'));
      const refused = await h.engine.deploy(req('2.0.0')).catch((e: SlipwayError) => e);
      expect(refused).toBeInstanceOf(SlipwayError);
      expect((refused as SlipwayError).code).toBe('conflict');
      expect((refused as SlipwayError).message).toContain(first.id);
      expect((refused as SlipwayError).message).toContain('--queue');

      const queued = await h.engine.deploy(req('2.0.0', { queue: true }));
      expect(queued.state).toBe('queued');
      h.runtime.behaviour = () => 'healthy';
      for (const s of h.runtime.list()) h.runtime.setState(s.instanceId, 'healthy');
      expect((await h.waitFinished(first.id)).state).toBe('succeeded');
      const second = await h.waitFinished(queued.id);
      expect(second.state).toBe('succeeded');
      expect(second.fromRelease).toBe(first.toRelease); // re-planned against what became stable
    });

    it('other environments are independent', async () => {
      h = await engineHarness(undefined, driver);
      h.runtime.behaviour = () => 'starting';
      await h.engine.deploy(req('1.0.0'));
      const prod = await h.engine.deploy({ ...req('1.0.0'), environment: 'production' });
      expect(prod.state).toBe('running');
    });

    it('releases are immutable: the same version with other settings is refused, naming what differs', async () => {
      h = await engineHarness(undefined, driver);
      await deployed(h, '1.0.0');
      await expect(
        h.engine.deploy({ ...req('1.0.0'), environment: 'production', sets: { FEATURE: 'on' } }),
      ).rejects.toThrow(/release 1\.0\.0 of api already exists with different settings \(env\.FEATURE\)/);
    });

    it('the stable release whose instances were all stopped (slipway down) starts again when deployed', async () => {
      h = await engineHarness(undefined, driver);
      const first = await deployed(h, '1.0.0');
      expect(await h.engine.stopAllInstances()).toBe(2);
      const again = await h.waitFinished((await h.engine.deploy(req('1.0.0'))).id);
      expect(again).toMatchObject({ state: 'succeeded', toRelease: first.toRelease });
      expect(again.fromRelease).toBeUndefined(); // started from nothing: no step stops its own new instances
      expect(again.settings.restart).toBe(true); // not a change: the delivery figures leave it out
      expect(first.settings.restart).toBeUndefined();
      const running = h.runtime.list().filter((i) => i.state === 'healthy');
      expect(running).toHaveLength(2);
      expect(weights(h)).toEqual({ '1.0.0': 100 });
      // Once it runs, it is the stable release again: nothing to deploy.
      await expect(h.engine.deploy(req('1.0.0'))).rejects.toThrow(/already the stable release in staging/);
    });

    it('deploying the stable release again is refused', async () => {
      h = await engineHarness(undefined, driver);
      await deployed(h, '1.0.0');
      await expect(h.engine.deploy(req('1.0.0'))).rejects.toThrow(/already the stable release in staging/);
    });
  });

  describe(`engine: restart [${driver}]`, () => {
    it('a deployment interrupted mid-plan resumes where it was and finishes, without duplicate instances', async () => {
      h = await engineHarness(undefined, driver);
      await deployed(h, '1.0.0');
      h.runtime.behaviour = (spec) => (spec.release === '2.0.0' ? 'starting' : 'healthy');
      const d = await h.engine.deploy(req('2.0.0'));
      // Waits at step 1 for health; on a loaded machine it may take more than a moment to get there.
      for (let i = 0; i < 200 && (await getDeployment(h.db, d.id))!.step < 1; i++)
        await new Promise((r) => setTimeout(r, 25));
      await new Promise((r) => setTimeout(r, 50));
      expect((await getDeployment(h.db, d.id))!.step).toBe(1); // waiting for health
      const engine = await h.restart();
      expect((await getDeployment(h.db, d.id))!.state).toBe('running');
      for (const s of h.runtime.list()) h.runtime.setState(s.instanceId, 'healthy');
      const final = await h.waitFinished(d.id);
      expect(final.state).toBe('succeeded');
      expect(h.runtime.started).toHaveLength(4); // 2 of 1.0.0, 2 of 2.0.0: none twice
      const kinds = (await listEvents(h.db, { deploymentId: d.id })).map((e) => e.kind);
      expect(kinds).toContain('deployment.resumed');
      void engine;
    });

    it('an abort recorded just before a crash is honoured after the restart', async () => {
      h = await engineHarness(undefined, driver);
      await deployed(h, '1.0.0');
      h.runtime.behaviour = (spec) => (spec.release === '2.0.0' ? 'starting' : 'healthy');
      const d = await h.engine.deploy(req('2.0.0'));
      await new Promise((r) => setTimeout(r, 100));
      await h.engine.close(); // the coordinator dies…
      const { requestAbort } = await import('./deployments.js');
      await requestAbort(h.engine.deps, d.id, 'abort before crash'); // …after the abort was recorded
      await h.restart();
      const final = await h.waitFinished(d.id);
      expect(final.state).toBe('rolled_back');
      expect(weights(h)).toEqual({ '1.0.0': 100 });
    });
  });

  describe(`engine: rolling [${driver}]`, () => {
    it('replaces instances in batches and ends with only the new release', async () => {
      h = await engineHarness(
        harnessConfig({ instances: 3, strategy: { type: 'rolling', maxSurge: 1, maxUnavailable: 0 } }),
        driver,
      );
      await deployed(h, '1.0.0');
      // The first deployment pushes a varying number of tables (its instances turn healthy one by one), so the
      // check starts where the second deployment starts, not at a fixed index.
      const tablesBefore = h.router.applied.length;
      const d = await deployed(h, '2.0.0');
      expect(d.state).toBe('succeeded');
      expect(weights(h)).toEqual({ '2.0.0': 100 });
      // Never fewer than 3 instances routed in any table pushed during the rollout.
      for (const t of h.router.applied.slice(tablesBefore)) {
        const routed = t.routes[0]!.releases.reduce((n, s) => n + (s.weight > 0 ? s.upstreams.length : 0), 0);
        if (t.routes[0]!.releases.length > 0) expect(routed).toBeGreaterThanOrEqual(3);
      }
      const live = await listInstances(h.db, { project: 'harbor', environment: 'staging', live: true });
      expect(live).toHaveLength(3);
      expect(new Set(live.map((i) => i.releaseId))).toEqual(new Set([d.toRelease]));
    });

    it('keeps every instance routed while the instance monitor records health late', async () => {
      // The runtime knows an instance is healthy a moment before the store does (the monitor writes it); the
      // route table is built from the store, so a step that trusted the runtime alone routed 2 of 3 instances.
      h = await engineHarness(
        harnessConfig({ instances: 3, strategy: { type: 'rolling', maxSurge: 1, maxUnavailable: 0 } }),
        driver,
        undefined,
        { eventDelayMs: 40 },
      );
      await deployed(h, '1.0.0');
      const tablesBefore = h.router.applied.length;
      const d = await deployed(h, '2.0.0');
      expect(d.state).toBe('succeeded');
      const routedCounts = h.router.applied
        .slice(tablesBefore)
        .map((t) => t.routes[0]!.releases.reduce((n, s) => n + (s.weight > 0 ? s.upstreams.length : 0), 0));
      expect(Math.min(...routedCounts)).toBeGreaterThanOrEqual(3);
    });
  });
}
