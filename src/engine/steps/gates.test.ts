import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { engineHarness, type Harness } from '../../../test/support/engine-harness.js';
import { validateConfigObject } from '../../config/validate.js';
import { listEvents } from '../../store/repos/events.js';
import { listGateResults } from '../../store/repos/gate-results.js';
import { getServiceState } from '../../store/repos/service-state.js';
import { getRelease } from '../../store/repos/releases.js';
import { withGateSteps, withSmokeBeforePromote } from '../../strategies/plan.js';
import { promotionSteps } from '../../strategies/canary.js';
import { planFor } from '../../strategies/index.js';
import { harnessConfig } from '../../../test/support/engine-harness.js';
import { dataPlaneEnvironment } from '../traffic-controller.js';

const dir = mkdtempSync(path.join(tmpdir(), 'slipway-gates-'));
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(gates: Record<string, unknown>, stagingListen = '127.0.0.1:18081') {
  return validateConfigObject(
    {
      project: 'harbor',
      environments: { staging: { listen: stagingListen, gates }, production: { listen: '127.0.0.1:18082' } },
      services: {
        api: {
          command: 'node',
          args: ['server.js'],
          instances: 1,
          health: { interval: '50ms', startTimeout: '2s' },
          drainTimeout: '1s',
          strategy: { type: 'blue-green', keepOldFor: 0 },
        },
      },
    },
    { baseDir: dir },
  );
}

const deploy = (version: string) =>
  h!.engine.deploy({ project: 'harbor', service: 'api', environment: 'staging', version });

describe('withGateSteps', () => {
  it('puts the before-gates first and the smoke checks right before the promotion', () => {
    const plan = withGateSteps(
      planFor({ type: 'blue-green', keepOldForMs: 0 }, { instances: 2, hasStable: true }),
      true,
      true,
    );
    expect(plan.steps.map((s) => s.kind)).toEqual([
      'gates',
      'scale',
      'waitHealthy',
      'setWeights',
      'drain',
      'stop',
      'smoke',
      'promote',
    ]);
  });

  it('`slipway promote` keeps the smoke checks in front of the promotion', () => {
    expect(withSmokeBeforePromote(promotionSteps(2)).map((s) => s.kind)).toEqual([
      'scale',
      'waitHealthy',
      'setWeights',
      'drain',
      'stop',
      'smoke',
      'promote',
    ]);
    expect(withSmokeBeforePromote([{ kind: 'stop', role: 'stable', keep: 0 }]).map((s) => s.kind)).toEqual([
      'stop',
      'smoke',
    ]);
  });

  it("keeps a canary's judged steps judged when a first step is added", () => {
    const strategy = harnessConfig({ strategy: { type: 'canary' } }).services[0]!.strategy;
    const plain = planFor(strategy, { instances: 2, hasStable: true });
    const gated = withGateSteps(plain, true, false);
    expect(gated.steps[0]).toEqual({ kind: 'gates', phase: 'before' });
    expect(gated.steps.slice(1)).toEqual(plain.steps);
    // The first step not judged is the shift of all traffic, in both plans.
    const firstUnjudged = (steps: typeof plain.steps) =>
      steps.findIndex((s, i) => i > 0 && !s.judged && steps[i - 1]!.judged);
    expect(gated.steps[firstUnjudged(gated.steps)]).toEqual({ kind: 'setWeights', stable: 0, candidate: 100 });
    expect(firstUnjudged(gated.steps)).toBe(firstUnjudged(plain.steps) + 1);
    expect(withGateSteps(plain, false, true).steps.filter((s) => s.judged)).toEqual(
      plain.steps.filter((s) => s.judged),
    );
  });
});

describe('before-gates', () => {
  it('a failing command fails the deployment before any instance starts, and its result is stored', async () => {
    h = await engineHarness(
      config({
        before: [
          {
            name: 'unit-tests',
            command: 'node',
            args: ['-e', 'console.error("2 tests failed"); process.exitCode = 3'],
          },
        ],
      }),
    );
    const d = await deploy('1.0.0');
    expect(d.plan.steps[0]).toEqual({ kind: 'gates', phase: 'before' });
    const done = await h.waitFinished(d.id);
    expect(done.state).toBe('failed');
    expect(done.reason).toMatch(/^gate "unit-tests" failed: node -e .* exited with status 3\n2 tests failed$/);
    expect(h.runtime.started).toEqual([]);

    const [result, ...more] = await listGateResults(h.db, d.id);
    expect(more).toEqual([]);
    expect(result).toMatchObject({
      phase: 'before',
      name: 'unit-tests',
      kind: 'command',
      outcome: 'fail',
      exitCode: 3,
      outputTail: '2 tests failed',
    });
    const failed = (await listEvents(h.db, { deploymentId: d.id })).find((e) => e.kind === 'gate.failed');
    expect(failed?.data).toMatchObject({ name: 'unit-tests', exitCode: 3, tail: '2 tests failed', phase: 'before' });
  });

  it('passing commands and coverage (with {version} filled in) let the deployment through', async () => {
    mkdirSync(path.join(dir, 'releases', '1.2.0', 'coverage'), { recursive: true });
    writeFileSync(
      path.join(dir, 'releases', '1.2.0', 'coverage', 'coverage-summary.json'),
      JSON.stringify({ total: { lines: { total: 10, covered: 9, pct: 90 } } }),
    );
    h = await engineHarness(
      config({
        before: [
          {
            name: 'lint',
            command: 'node',
            args: ['-e', 'console.log(process.cwd(), process.env.SLIPWAY_RELEASE, process.argv[1])', '{version}'],
            cwd: 'releases/{version}',
          },
        ],
        coverage: { file: 'releases/{version}/coverage/coverage-summary.json', minimum: '85%' },
      }),
    );
    const d = await deploy('1.2.0');
    expect((await h.waitFinished(d.id)).state).toBe('succeeded');
    const results = await listGateResults(h.db, d.id);
    expect(results.map((r) => `${r.name}:${r.outcome}`)).toEqual(['lint:pass', 'coverage:pass']);
    expect(results[0]!.outputTail).toBe(`${path.join(dir, 'releases', '1.2.0')} 1.2.0 1.2.0`);
    expect(results[1]!.message).toBe('line coverage 90% (9/10 lines) meets the minimum 85%');
    expect((await listEvents(h.db, { deploymentId: d.id })).filter((e) => e.kind === 'gate.passed')).toHaveLength(2);
  });

  it('coverage below the minimum fails the deployment with the figures', async () => {
    writeFileSync(path.join(dir, 'lcov.info'), 'SF:a.js\nLF:100\nLH:70\nend_of_record\n');
    h = await engineHarness(config({ coverage: { file: 'lcov.info', minimum: 0.85 } }));
    const d = await deploy('1.0.0');
    const done = await h.waitFinished(d.id);
    expect(done.state).toBe('failed');
    expect(done.reason).toBe('line coverage 70% (70/100 lines) in lcov.info is below the minimum 85%');
    expect(h.runtime.started).toEqual([]);
  });
});

describe('smoke checks', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  it('a failing smoke check rolls back to the previous release, which stays stable', async () => {
    // Stands in for the proxy on the environment address: answers with a release the test chooses.
    let serving = '1.0.0';
    server = createServer((_req, res) => res.writeHead(200).end(JSON.stringify({ release: serving })));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const listen = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    h = await engineHarness(
      config(
        { after: [{ name: 'version', path: '/version', expect: { status: 200, bodyContains: '"release":"1.0.0"' } }] },
        listen,
      ),
    );

    const first = await deploy('1.0.0');
    expect(first.plan.steps.map((s) => s.kind).slice(-2)).toEqual(['smoke', 'promote']);
    expect((await h.waitFinished(first.id)).state).toBe('succeeded');

    serving = '1.1.0';
    const second = await deploy('1.1.0');
    const done = await h.waitFinished(second.id);
    expect(done.state).toBe('rolled_back');
    expect(done.reason).toBe(
      `smoke check "version" failed: GET http://${listen}/version: the body does not contain ` +
        `"\\"release\\":\\"1.0.0\\""\n{"release":"1.1.0"}`,
    );
    const state = await getServiceState(h.db, 'harbor', 'staging', 'api');
    expect((await getRelease(h.db, state!.stableRelease!))?.version).toBe('1.0.0');
    const routes = h.router.last(dataPlaneEnvironment('harbor', 'staging'))!;
    expect(routes.routes[0]!.releases.map((r) => `${r.release}:${r.role}:${r.weight}`)).toEqual(['1.0.0:stable:100']);
    expect((await listGateResults(h.db, second.id)).map((r) => `${r.phase}:${r.name}:${r.outcome}`)).toEqual([
      'after:version:fail',
    ]);
  });
});
