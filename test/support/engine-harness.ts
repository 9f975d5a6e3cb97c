import { validateConfigObject } from '../../src/config/validate.js';
import type { ProjectConfig } from '../../src/config/model.js';
import { Engine } from '../../src/engine/engine.js';
import { EventLog } from '../../src/engine/event-log.js';
import { dataPlaneEnvironment, TrafficController } from '../../src/engine/traffic-controller.js';
import { ProxySignalSource } from '../../src/signals/index.js';
import type { SignalSource } from '../../src/signals/signal-source.js';
import { systemClock } from '../../src/shared/clock.js';
import { silentLogger } from '../../src/shared/logging.js';
import type { Db } from '../../src/store/db.js';
import { finalStates, getDeployment, type DeploymentRecord } from '../../src/store/repos/deployments.js';
import { FakeRuntime, type FakeRuntimeOptions, RecordingRouter } from './fake-runtime.js';
import { freshPglite, freshPostgres } from './store.js';
import type { DriverName } from './drivers.js';

/** A project with one service on two environments; `instances` per environment, `watch` for staging. */
export function harnessConfig(
  overrides: { instances?: number; strategy?: Record<string, unknown>; watch?: Record<string, unknown> } = {},
): ProjectConfig {
  return validateConfigObject(
    {
      project: 'harbor',
      environments: {
        staging: { listen: '127.0.0.1:18081', ...(overrides.watch ? { watch: overrides.watch } : {}) },
        production: { listen: '127.0.0.1:18082' },
      },
      services: {
        api: {
          command: 'node',
          args: ['server.js'],
          instances: overrides.instances ?? 2,
          health: { interval: '50ms', startTimeout: '2s' },
          drainTimeout: '1s',
          strategy: overrides.strategy ?? { type: 'blue-green', keepOldFor: '5m' },
        },
      },
    },
    { baseDir: '/srv/harbor' },
  );
}

export interface Harness {
  db: Db;
  runtime: FakeRuntime;
  router: RecordingRouter;
  engine: Engine;
  events: EventLog;
  /** A new engine on the same store and runtime: what a restarted coordinator is. */
  restart(): Promise<Engine>;
  waitFinished(id: string, timeoutMs?: number): Promise<DeploymentRecord>;
  close(): Promise<void>;
}

/**
 * An engine on a fresh store with the fake runtime and router: a PostgreSQL database copied from a migrated
 * template by default (the engine's tests on PGlite are src/engine/engine.test.ts, which runs both drivers).
 */
export async function engineHarness(
  config: ProjectConfig = harnessConfig(),
  driver: DriverName = 'postgres',
  /** Extra signal sources for canaries (e.g. one that always fails), besides the proxy's. */
  extraSources: () => SignalSource[] = () => [],
  runtimeOptions: FakeRuntimeOptions = {},
  /** The store as the engine sees it (e.g. one that refuses some writes); the harness itself reads the real one. */
  engineDb: (db: Db) => Db = (db) => db,
): Promise<Harness> {
  let drop = async () => undefined as unknown;
  let db: Db;
  if (driver === 'postgres') {
    const fresh = await freshPostgres();
    db = fresh.db;
    drop = fresh.drop;
  } else {
    db = await freshPglite();
  }
  const runtime = new FakeRuntime(runtimeOptions);
  const router = new RecordingRouter();
  const events = new EventLog(db, silentLogger);
  const build = () => {
    const store = engineDb(db);
    const traffic = new TrafficController(store, router, silentLogger);
    // Canaries read the samples a test feeds into the recording router, through the real proxy source.
    const signals = async (d: { project: string; environment: string; service: string }) => [
      new ProxySignalSource({
        router,
        environment: dataPlaneEnvironment(d.project, d.environment),
        service: d.service,
      }),
      ...extraSources(),
    ];
    return new Engine(
      { db: store, runtime, router, traffic, events, clock: systemClock, logger: silentLogger, pollMs: 5 },
      { signals },
    );
  };
  let engine = build();
  await engine.applyProject(config);
  await engine.start();
  const harness: Harness = {
    db,
    runtime,
    router,
    events,
    get engine() {
      return engine;
    },
    async restart() {
      await engine.close();
      engine = build();
      await engine.start();
      return engine;
    },
    async waitFinished(id, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const d = await getDeployment(db, id);
        if (d && finalStates.includes(d.state)) return d;
        if (Date.now() > deadline) throw new Error(`deployment ${id} still ${d?.state} at step ${d?.step}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async close() {
      await engine.close();
      if (driver === 'postgres') await drop();
      else await db.close();
    },
  };
  return harness;
}
