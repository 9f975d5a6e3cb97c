import { afterEach, describe, expect, it } from 'vitest';
import { engineHarness, type Harness } from '../../../test/support/engine-harness.js';
import { resolveRelease, serviceIn } from '../../config/resolve.js';
import { validateConfigObject } from '../../config/validate.js';
import type { CanaryStrategy } from '../../config/model.js';
import { isSlipwayError } from '../../shared/errors.js';
import type { DeploymentWatch } from '../../model/deployment.js';
import { getDeployment, setWatch } from '../../store/repos/deployments.js';
import { listEvents } from '../../store/repos/events.js';
import { getReleaseByVersion, insertReleaseIfAbsent } from '../../store/repos/releases.js';
import { insertApproval } from '../../store/repos/approvals.js';
import { insertToken } from '../../store/repos/tokens.js';
import { scheduledFor } from '../../model/requested-by.js';
import { releaseDigest } from '../releases.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const hour = 3_600_000;

function config(production: Record<string, unknown>, staging: Record<string, unknown> = {}) {
  return validateConfigObject(
    {
      project: 'harbor',
      environments: {
        staging: { listen: '127.0.0.1:18081', ...staging },
        production: { listen: '127.0.0.1:18082', ...production },
      },
      services: {
        api: {
          command: 'node',
          args: ['server.js'],
          instances: 1,
          health: { interval: '50ms', startTimeout: '2s' },
          drainTimeout: '1s',
        },
      },
    },
    { baseDir: '/srv/harbor' },
  );
}

const req = (environment: string, version: string, extra: Record<string, unknown> = {}) => ({
  project: 'harbor',
  service: 'api',
  environment,
  version,
  ...extra,
});

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (e) {
    if (isSlipwayError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a refusal');
}

/** End a deployment's post-deploy watch as regressed, as the watch does (once it is watching: the watch starts it). */
async function regress(id: string, watch: Partial<DeploymentWatch>): Promise<void> {
  const started = Date.now();
  let d = await getDeployment(h!.db, id);
  while (d?.watch?.state !== 'watching') {
    if (Date.now() - started > 10_000) throw new Error(`the watch of ${id} did not start: ${JSON.stringify(d?.watch)}`);
    await new Promise((r) => setTimeout(r, 20));
    d = await getDeployment(h!.db, id);
  }
  const ended = await setWatch(
    h!.db,
    id,
    { ...d.watch, ...watch, state: 'regressed', endedAt: Date.now() },
    'watching',
  );
  expect(ended?.watch?.state).toBe('regressed');
}

describe('promotion rules', () => {
  it('production requires staging: refused until the release succeeded there, then allowed', async () => {
    h = await engineHarness(config({ requires: ['staging'] }));
    expect(await refusal(h.engine.deploy(req('production', '1.0.0')))).toEqual({
      code: 'conflict',
      message: 'api 1.0.0 cannot go to production yet: api 1.0.0 has not been deployed successfully to staging yet',
    });
    const staged = await h.engine.deploy(req('staging', '1.0.0'));
    expect((await h.waitFinished(staged.id)).state).toBe('succeeded');
    const promoted = await h.engine.deploy(req('production', '1.0.0'));
    expect((await h.waitFinished(promoted.id)).state).toBe('succeeded');
  });

  it('the pipeline view says, per release, where it is and what it waits for', async () => {
    h = await engineHarness(config({ requires: ['staging'] }));
    await h.waitFinished((await h.engine.deploy(req('staging', '1.0.0'))).id);
    await h.waitFinished((await h.engine.deploy(req('production', '1.0.0'))).id);
    await h.waitFinished((await h.engine.deploy(req('staging', '1.1.0'))).id);
    const view = await h.engine.pipeline('harbor');
    const stages = Object.fromEntries(
      view.map((r) => [
        r.version,
        r.stages.map((s) => `${s.environment}:${s.state}${s.waitsFor.length ? ` (${s.waitsFor.join('; ')})` : ''}`),
      ]),
    );
    expect(stages['1.0.0']).toEqual(['staging:deployed', 'production:live']);
    expect(stages['1.1.0']).toEqual(['staging:live', 'production:ready']);
  });

  it('a release that failed in staging is not "ready" for production, even without a promotion rule', async () => {
    h = await engineHarness(config({}));
    await h.waitFinished((await h.engine.deploy(req('staging', '1.0.0'))).id);
    h.runtime.behaviour = (spec) => (spec.release === '2.0.0' ? 'failed' : 'healthy');
    expect((await h.waitFinished((await h.engine.deploy(req('staging', '2.0.0'))).id)).state).toBe('failed');
    const view = await h.engine.pipeline('harbor');
    const failed = view.find((r) => r.version === '2.0.0')!;
    expect(failed.stages).toEqual([
      { environment: 'staging', state: 'failed', waitsFor: [] },
      {
        environment: 'production',
        state: 'waiting',
        waitsFor: ['it failed in staging: deploy a fixed release there first'],
      },
    ]);
  });

  it('an environment a release skipped is left out: it was never there, and it is not where it goes next', async () => {
    h = await engineHarness(config({}));
    await h.waitFinished((await h.engine.deploy(req('production', '1.0.0'))).id);
    const [view] = await h.engine.pipeline('harbor');
    expect(view!.stages).toEqual([{ environment: 'production', state: 'live', waitsFor: [] }]);
  });

  it('a failure in a required staging is said once; no approvals are listed for a release that cannot go', async () => {
    h = await engineHarness(config({ requires: ['staging'], approvals: { required: 1 } }));
    await h.waitFinished((await h.engine.deploy(req('staging', '1.0.0'))).id);
    h.runtime.behaviour = (spec) => (spec.release === '2.0.0' ? 'failed' : 'healthy');
    expect((await h.waitFinished((await h.engine.deploy(req('staging', '2.0.0'))).id)).state).toBe('failed');
    const view = await h.engine.pipeline('harbor');
    // The release that may go waits for its approval...
    expect(view.find((r) => r.version === '1.0.0')!.stages[1]!.waitsFor).toEqual([
      expect.stringMatching(/^production needs 1 approval of api 1\.0\.0/),
    ]);
    // ...the one that failed waits for a fixed release only.
    expect(view.find((r) => r.version === '2.0.0')!.stages).toEqual([
      { environment: 'staging', state: 'failed', waitsFor: [] },
      {
        environment: 'production',
        state: 'waiting',
        waitsFor: ['it failed in staging: deploy a fixed release there first'],
      },
    ]);
  });

  it('a deployment the scheduler starts for someone counts not their own approval, as if they deployed', async () => {
    h = await engineHarness(config({ approvals: { required: 1 } }));
    const approve = async (version: string, byName: string) => {
      const release = (await getReleaseByVersion(h!.db, 'harbor', 'api', version))!;
      const grants = [{ role: 'approver' as const, environments: '*' as const }];
      await insertToken(h!.db, {
        id: `tok_${version}_${byName}`,
        name: byName,
        hash: `hash_${version}_${byName}`,
        grants,
      });
      await insertApproval(h!.db, {
        id: `apr_${version}_${byName}`,
        project: 'harbor',
        service: 'api',
        version,
        releaseDigest: release.digest,
        environment: 'production',
        decision: 'approve',
        byName,
        byToken: `tok_${version}_${byName}`,
        at: new Date(),
        expiresAt: new Date(Date.now() + hour),
      });
    };
    // dana approves a release ci deployed, then schedules it: the scheduler deploys it as "dana (scheduled)".
    await h.waitFinished((await h.engine.deploy(req('staging', '1.0.0', { requestedBy: 'ci' }))).id);
    await approve('1.0.0', 'dana');
    const own = await refusal(h.engine.deploy(req('production', '1.0.0', { requestedBy: scheduledFor('dana') })));
    expect(own.message).toMatch(/^production needs 1 approval of api 1\.0\.0/);
    expect(own.message).toContain('dana is deploying it');
    // A release erin first deployed by a schedule is hers: her approval does not count for it either.
    await h.waitFinished((await h.engine.deploy(req('staging', '2.0.0', { requestedBy: scheduledFor('erin') }))).id);
    await approve('2.0.0', 'erin');
    const first = await refusal(h.engine.deploy(req('production', '2.0.0', { requestedBy: 'ci' })));
    expect(first.message).toContain('erin first deployed it');
    // Someone else's approval lets it go.
    await approve('1.0.0', 'frank');
    const d = await h.engine.deploy(req('production', '1.0.0', { requestedBy: scheduledFor('dana') }));
    expect((await h.waitFinished(d.id)).state).toBe('succeeded');
  });

  it('a release whose post-deploy watch in staging found a regression does not go to production', async () => {
    h = await engineHarness(config({ requires: ['staging'] }));
    await h.waitFinished((await h.engine.deploy(req('staging', '1.0.0'))).id);
    const staged = await h.waitFinished((await h.engine.deploy(req('staging', '2.0.0'))).id);
    expect(staged.state).toBe('succeeded');
    // What the watch records when the judge fails the release after its rollout; here it only reported
    // (onRegression: alert), so 2.0.0 is still live in staging.
    await regress(staged.id, { onRegression: 'alert', reason: 'errors: candidate 9 % vs 1 %' });
    const refused = await refusal(h.engine.deploy(req('production', '2.0.0')));
    expect(refused).toEqual({
      code: 'conflict',
      message:
        'api 2.0.0 cannot go to production yet: api 2.0.0 is not good in staging: its post-deploy watch there found ' +
        'a regression; deploy a fixed release there first (or this one again, if what went wrong was not the release)',
    });
    const stages = (await h.engine.pipeline('harbor')).find((r) => r.version === '2.0.0')!.stages;
    expect(stages).toEqual([
      { environment: 'staging', state: 'live', waitsFor: [] },
      { environment: 'production', state: 'waiting', waitsFor: [expect.stringMatching(/^it failed in staging/)] },
    ]);
    // Deployed there again and not regressing: it may go.
    await h.waitFinished((await h.engine.deploy(req('staging', '1.0.0'))).id);
    expect((await h.waitFinished((await h.engine.deploy(req('staging', '2.0.0'))).id)).state).toBe('succeeded');
    expect((await h.waitFinished((await h.engine.deploy(req('production', '2.0.0'))).id)).state).toBe('succeeded');
  });

  it('a release its watch rolled back in staging is shown failed there', async () => {
    h = await engineHarness(config({ requires: ['staging'] }));
    await h.waitFinished((await h.engine.deploy(req('staging', '1.0.0'))).id);
    const staged = await h.waitFinished((await h.engine.deploy(req('staging', '2.0.0'))).id);
    await regress(staged.id, { onRegression: 'rollback', rollback: 'dep_back' });
    await h.waitFinished((await h.engine.deploy(req('staging', '1.0.0'))).id);
    const stages = (await h.engine.pipeline('harbor')).find((r) => r.version === '2.0.0')!.stages;
    expect(stages[0]).toEqual({ environment: 'staging', state: 'failed', waitsFor: [] });
    expect((await refusal(h.engine.deploy(req('production', '2.0.0')))).message).toContain(
      'its post-deploy watch there found a regression and rolled it back',
    );
  });

  it("one release everywhere: the environment's env is added at each start, --set goes with the release", async () => {
    const withEnv = config({ requires: ['staging'] });
    withEnv.services[0]!.env = { LOG_LEVEL: 'info', TAG: 'v{version}' };
    withEnv.services[0]!.environments = { production: { env: { LOG_LEVEL: 'warn', SITE: 'prod-{version}' } } };
    h = await engineHarness(withEnv);
    const seen: Record<string, string>[] = [];
    h.runtime.behaviour = (spec) => {
      seen.push({ environment: spec.environment, release: spec.release, ...spec.env });
      return 'healthy';
    };
    const staged = await h.waitFinished((await h.engine.deploy(req('staging', '1.0.0', { sets: { KNOB: '1' } }))).id);
    const promoted = await h.waitFinished((await h.engine.deploy(req('production', '1.0.0'))).id);
    expect([staged.state, promoted.state]).toEqual(['succeeded', 'succeeded']);
    expect(promoted.toRelease).toBe(staged.toRelease);
    const envOf = (environment: string) => seen.find((s) => s.environment === environment)!;
    expect(envOf('staging')).toMatchObject({ LOG_LEVEL: 'info', TAG: 'v1.0.0', KNOB: '1' });
    expect(envOf('staging').SITE).toBeUndefined();
    expect(envOf('production')).toMatchObject({ LOG_LEVEL: 'warn', TAG: 'v1.0.0', SITE: 'prod-1.0.0', KNOB: '1' });
    // Other --set values are another release, refused as before.
    expect((await refusal(h.engine.deploy(req('production', '1.0.0', { sets: { KNOB: '2' } })))).message).toMatch(
      /release 1\.0\.0 of api already exists with different settings \(env\.KNOB\)/,
    );
  });

  it("a release recorded with its environment's env (before 2026-12-07) deploys there, not elsewhere", async () => {
    const withEnv = config({});
    withEnv.services[0]!.env = { LOG_LEVEL: 'info' };
    withEnv.services[0]!.environments = { production: { env: { LOG_LEVEL: 'warn', SITE: 'prod-{version}' } } };
    h = await engineHarness(withEnv);
    // As the engine recorded 1.0.0 when it first went to production: the environment's env inside the release.
    const spec = resolveRelease(serviceIn(withEnv, 'api', 'production'), '1.0.0');
    const legacy = { ...spec, env: { ...spec.env, LOG_LEVEL: 'warn', SITE: 'prod-1.0.0' } };
    const stored = await insertReleaseIfAbsent(h.db, {
      id: 'rel_legacy',
      project: 'harbor',
      service: 'api',
      version: '1.0.0',
      spec: legacy,
      digest: releaseDigest(legacy),
    });
    const seen: Record<string, string>[] = [];
    h.runtime.behaviour = (s) => {
      seen.push({ environment: s.environment, ...s.env });
      return 'healthy';
    };
    const again = await h.waitFinished((await h.engine.deploy(req('production', '1.0.0'))).id);
    expect(again).toMatchObject({ state: 'succeeded', toRelease: stored.id });
    expect(seen[0]).toMatchObject({ environment: 'production', LOG_LEVEL: 'warn', SITE: 'prod-1.0.0' });
    // In staging it would run with production's values: another release, refused as it always was.
    const refused = (await refusal(h.engine.deploy(req('staging', '1.0.0')))).message;
    expect(refused).toMatch(/^release 1\.0\.0 of api already exists with different settings \((env\.\w+(, )?){2}\)/);
    for (const key of ['env.LOG_LEVEL', 'env.SITE']) expect(refused).toContain(key);
  });

  it('a soak time: refused with when it will be ready', async () => {
    h = await engineHarness(config({ requires: ['staging'], soak: '1h' }));
    const staged = await h.engine.deploy(req('staging', '2.0.0'));
    await h.waitFinished(staged.id);
    const refused = await refusal(h.engine.deploy(req('production', '2.0.0')));
    expect(refused.message).toMatch(
      /^api 2\.0\.0 cannot go to production yet: api 2\.0\.0 has soaked in staging for \d+s of 60m \(ready at (\S+)\)$/,
    );
    const readyAt = Date.parse(/ready at (\S+)\)/.exec(refused.message)![1]!);
    const [view] = await h.engine.pipeline('harbor');
    expect(view!.stages).toEqual([
      { environment: 'staging', state: 'live', waitsFor: [] },
      {
        environment: 'production',
        state: 'waiting',
        waitsFor: [expect.stringMatching(/^api 2\.0\.0 has soaked in staging for \d+s of 60m$/)],
      },
    ]);
    expect(readyAt - Date.now()).toBeGreaterThan(hour - 60_000);
    expect(readyAt - Date.now()).toBeLessThanOrEqual(hour);
  });
});

describe('freeze windows', () => {
  const frozen = () => ({
    freezes: [
      {
        from: new Date(Date.now() - hour).toISOString(),
        until: new Date(Date.now() + hour).toISOString(),
        message: 'release train paused: ask #releases',
      },
    ],
  });

  it('a deployment during a freeze is refused with the window and its end, before anything starts', async () => {
    h = await engineHarness(config({}, frozen()));
    const refused = await refusal(h.engine.deploy(req('staging', '1.0.0')));
    expect(refused.code).toBe('conflict');
    expect(refused.message).toMatch(
      new RegExp(
        String.raw`^staging is frozen until \S+Z: release train paused: ask #releases \(from \S+ until \S+\); an` +
          ' admin can deploy anyway with --emergency --reason',
      ),
    );
    expect(h.runtime.started).toEqual([]);
  });

  it(
    'an emergency goes through, is marked on the deployment and its events, and a canary is judged more ' + 'strictly',
    async () => {
      h = await engineHarness(config({}, frozen()));
      const d = await h.engine.deploy(
        req('staging', '1.0.0', {
          emergency: { reason: 'CVE-2026-1234 hotfix' },
          requestedBy: 'alice',
          strategy: 'canary',
        }),
      );
      expect(d.settings.emergency).toEqual({ reason: 'CVE-2026-1234 hotfix', by: 'alice' });
      const triggers = (d.settings.strategyConfig as CanaryStrategy).analysis.triggers;
      expect(triggers).toEqual({
        errorRateVsBaseline: 2.5,
        p95VsBaseline: 2.5,
        maxErrorRate: 0.005,
        maxP95Ms: 250,
        unavailableForMs: 60_000,
      });
      const events = await listEvents(h.db, { deploymentId: d.id });
      expect(events.find((e) => e.kind === 'deployment.started')?.message).toMatch(
        /^EMERGENCY \(CVE-2026-1234 hotfix\): started canary deployment/,
      );
      await h.engine.abort(d.id, 'test over', 'test');
      await h.waitFinished(d.id);
    },
  );
});

describe('deployment windows', () => {
  const days = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
  const today = new Date().getUTCDay();
  // Every day but today (UTC), all day: closed now, open from the next midnight.
  const closedToday = () => ({
    windows: [{ days: days.filter((_, i) => i !== today), from: '00:00', to: '24:00', timezone: 'UTC' }],
  });

  it('a deployment outside every window is refused before anything starts, naming the next opening', async () => {
    h = await engineHarness(config({}, closedToday()));
    const refused = await refusal(h.engine.deploy(req('staging', '1.0.0')));
    const midnight = new Date(new Date().setUTCHours(24, 0, 0, 0)).toISOString();
    expect(refused.code).toBe('conflict');
    expect(refused.message).toContain('staging takes deployments only in its windows (');
    expect(refused.message).toContain(`the next opens at ${midnight}`);
    expect(refused.message).toContain('schedule it with --at next-window');
    expect(h.runtime.started).toEqual([]);
  });

  it('inside a window, or as an emergency, it goes through', async () => {
    h = await engineHarness(config({}, { windows: [{ days, from: '00:00', to: '24:00' }] }));
    expect((await h.waitFinished((await h.engine.deploy(req('staging', '1.0.0'))).id)).state).toBe('succeeded');
    await h.close();
    h = await engineHarness(config({}, closedToday()));
    const d = await h.engine.deploy(req('staging', '1.0.0', { emergency: { reason: 'CVE-2026-1234 hotfix' } }));
    expect((await h.waitFinished(d.id)).state).toBe('succeeded');
  });
});
