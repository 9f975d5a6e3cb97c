import type { FastifyInstance } from 'fastify';
import { SecretVault } from '../access/secrets/vault.js';
import { DatabaseBackups } from '../migrations/backups/service.js';
import { staticPreflight } from './release-preflight.js';
import { ensureAdminToken } from '../api/auth.js';
import { createCoordinatorMetrics } from '../api/metrics.js';
import { errorForwarder } from './error-forwarding.js';
import { buildApi } from '../api/server.js';
import type { ProjectConfig } from '../config/model.js';
import { Engine } from '../engine/engine.js';
import { EventLog } from '../engine/event-log.js';
import { TrafficController } from '../engine/traffic-controller.js';
import { systemClock } from '../shared/clock.js';
import { announcingClock } from '../engine/announcing-clock.js';
import { messageOf, SlipwayError } from '../shared/errors.js';
import { createLogger, type Logger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import { listProjects } from '../store/repos/projects.js';
import { openStore } from '../store/open.js';
import { buildDataPlane } from './data-plane.js';
import { canListen } from './port-check.js';
import { buildRuntime } from './runtime.js';
import { hostname } from 'node:os';
import { startLeaderParts, type LeaderParts } from './leader-parts.js';
import { Leadership, type LeaseTiming } from './leadership.js';
import { currentEngine, holderId, leaderView } from './leader-view.js';
import { dataPaths, prepareDataDir } from './data-dir.js';
import { signalFactory } from './signals.js';
import { MigrationSequencer } from '../migrations/sequencing/gate.js';
import { slipwayVersion } from './version.js';
import { ErrorIngest } from '../observe/errors/error-ingest.js';
import { loopbackHost, sentryDsnEnv } from './sentry-env.js';

export interface CoordinatorOptions {
  config: ProjectConfig;
  /** Real PostgreSQL instead of PGlite in the data directory. */
  databaseUrl?: string;
  /** An admin token to register (SLIPWAY_TOKEN). */
  token?: string;
  /** Its name in events and the audit log (SLIPWAY_TOKEN_NAME; default "admin"). */
  tokenName?: string;
  logger?: Logger;
  /** Listen address override (default: config.coordinator). */
  listen?: { host: string; port: number };
  /** How often to check the proxy is alive (ms). */
  watchdogMs?: number;
  /** Between availability probe rounds (ms; default 5000). */
  probeIntervalMs?: number;
  /** Leader lease timing (PostgreSQL only; default src/app/leadership.ts). */
  leaseTiming?: LeaseTiming;
  /** POST /api/v1/system/shutdown landed. */
  onShutdownRequest?: (options: { stopInstances: boolean }) => void;
}

export interface RunningCoordinator {
  url: string;
  /** Set on a first start without SLIPWAY_TOKEN: print it once. */
  generatedToken?: string;
  /** Deployments resumed after a restart (by this coordinator, when it leads from the start). */
  resumed: string[];
  engine: Engine;
  /** Stop the coordinator; with stopInstances, the proxy and every instance too. Idempotent. */
  close(options?: { stopInstances?: boolean }): Promise<void>;
}

function addressInUse(listen: { host: string; port: number }): SlipwayError {
  return new SlipwayError(
    'conflict',
    `the coordinator address ${listen.host}:${listen.port} is already in use (another coordinator? try \`slipway ` +
      `status\`)`,
  );
}

/**
 * The composition root of the control plane: store, token, data plane, runtime, engine, API — the
 * only place that knows the concrete adapters. Everything it starts is stopped by close().
 */
export async function startCoordinator(options: CoordinatorOptions): Promise<RunningCoordinator> {
  const { config } = options;
  prepareDataDir(config.dataDir);
  const paths = dataPaths(config.dataDir);
  const logger = options.logger ?? createLogger({ destination: paths.coordinatorLog, name: 'slipway-coordinator' });
  const cleanup: (() => Promise<unknown>)[] = [];
  const unwind = async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  };

  try {
    // Before the store opens (initdb takes seconds on a first start): a taken address is one line at once.
    const listen = options.listen ?? config.coordinator;
    if (listen.port !== 0 && !(await canListen(listen.host, listen.port))) throw addressInUse(listen);
    // The built-in proxy or HAProxy (proxy.kind); a haproxy binary that cannot serve is refused here, at once.
    const dataPlane = await buildDataPlane(config, paths);
    const { router } = dataPlane;
    // With PostgreSQL, several coordinators may share the store: each campaigns for the leader lease under its own
    // holder id, which its connections carry so the store fences its writes (src/app/leadership.ts).
    const holder = options.databaseUrl ? holderId() : undefined;
    const db: Db = await openStore({
      databaseUrl: options.databaseUrl,
      dataDir: config.dataDir,
      logger,
      ...(holder ? { holder } : {}),
    });
    cleanup.push(() => db.close());
    const { generated } = await ensureAdminToken(db, options.token, options.tokenName);

    // Secrets are decrypted at each process start and handed to the runtime only, never to the
    // spec the engine persists: adopting a running instance needs no secret at all.
    const secrets = SecretVault.open(db, config.dataDir);
    for (const { masterKeyId, rows } of await secrets.missingKeys()) {
      logger.warn(
        { masterKeyId, rows },
        'secrets in the store are encrypted under a master key this coordinator does not have; instances needing ' +
          'them will not start',
      );
    }
    // Local instances, and SSH hosts for environments (or services) with `hosts:` (src/app/runtime.ts).
    const projects: ProjectConfig[] = [config, ...(await listProjects(db)).map((p) => p.config)];
    const runtime = await buildRuntime({
      config,
      projects: () => projects,
      secrets,
      instanceLogs: paths.instanceLogs,
      logger,
      baseEnv: (spec) => sentryDsnEnv(db, spec, () => coordinatorUrl),
    });
    cleanup.push(() => runtime.close());
    // Where instances send their errors (SENTRY_DSN); known once the API listens, before any instance starts.
    let coordinatorUrl = `http://${loopbackHost(listen.host)}:${listen.port}`;
    // Made here (it only needs the store) so that the ingest's counters are on /metrics.
    const metrics = createCoordinatorMetrics(db);
    const errorLogger = logger.child({ part: 'errors' });
    const errors = new ErrorIngest({
      // A flood of error events gives way to the engine's statements (PGlite runs one statement at a time).
      db: db.background(),
      logger: errorLogger,
      registry: metrics.registry,
      rateLimit: config.errors.rateLimit,
      retention: config.errors.retention,
      ...(config.errors.threads !== undefined ? { threads: config.errors.threads } : {}),
      forward: errorForwarder(config.errors.forward, secrets, errorLogger, metrics.registry),
    });
    cleanup.push(() => errors.close());
    const events = new EventLog(db, logger.child({ part: 'events' }));
    const traffic = new TrafficController(db, router, logger.child({ part: 'traffic' }));
    const migrations = new MigrationSequencer(db, events, logger.child({ part: 'migrations' }));
    const makeEngine = () =>
      new Engine(
        {
          db,
          runtime,
          router,
          traffic,
          events,
          clock: announcingClock(systemClock, db),
          logger: logger.child({ part: 'engine' }),
          migrations,
          preflight: staticPreflight,
        },
        { signals: signalFactory(db, router) },
      );
    // The engine of the current term; a follower keeps one that never starts, for the read routes.
    let engine = makeEngine();
    const engineView = currentEngine(() => engine);

    let leadership: Leadership | undefined;
    let ready = false;
    const api: FastifyInstance = await buildApi({
      db,
      engine: engineView,
      events,
      logger,
      metrics,
      version: slipwayVersion,
      startedAt: Date.now(),
      shutdown: (o) => options.onShutdownRequest?.(o),
      secrets,
      errors,
      backups: new DatabaseBackups(db, events),
      ready: () => ready,
      dataPlane: { kind: dataPlane.kind },
      ...(holder ? { leadership: leaderView(() => leadership, holder), selfUrl: () => coordinatorUrl } : {}),
    });
    try {
      await api.listen({ host: listen.host, port: listen.port });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw addressInUse(listen);
      throw new SlipwayError('unavailable', `cannot listen on ${listen.host}:${listen.port}: ${messageOf(e)}`);
    }
    cleanup.push(() => api.close());
    const address = api.server.address();
    const port = typeof address === 'object' && address ? address.port : listen.port;
    coordinatorUrl = `http://${loopbackHost(listen.host)}:${port}`;
    const url = `http://${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${port}`;

    // The leader's parts: at once with PGlite (one process), per term of the leader lease with PostgreSQL.
    let parts: LeaderParts | undefined;
    let terms = 0;
    const lead = async () => {
      terms += 1;
      if (terms > 1) engine = makeEngine(); // a closed engine does not start again
      parts = await startLeaderParts({
        config,
        db,
        engine,
        runtime,
        dataPlane,
        traffic,
        events,
        secrets,
        logger,
        linkBase: url,
        ...(terms === 1 ? { registry: metrics.registry } : {}),
        ...(options.watchdogMs ? { watchdogMs: options.watchdogMs } : {}),
        ...(options.probeIntervalMs ? { probeIntervalMs: options.probeIntervalMs } : {}),
      });
    };
    const stepDown = async (stopInstances = false) => {
      const stopping = parts;
      parts = undefined;
      await stopping?.close({ stopInstances });
    };
    if (holder) {
      leadership = new Leadership({
        db,
        candidate: { holder, url: coordinatorUrl, host: hostname(), pid: process.pid },
        logger: logger.child({ part: 'leader' }),
        ...(options.leaseTiming ? { timing: options.leaseTiming } : {}),
        lead,
        stepDown: () => stepDown(),
      });
      await leadership.start();
    } else await lead();
    ready = true;
    const resumed = parts?.resumed ?? [];
    let closing: Promise<void> | undefined;
    return {
      url,
      generatedToken: generated,
      resumed,
      engine: engineView,
      close(closeOptions = {}) {
        closing ??= (async () => {
          await api.close().catch(() => undefined);
          if (leadership) {
            // Stop campaigning, then stop the leader's parts (with the instances when asked) and hand the lease on.
            if (closeOptions.stopInstances && parts) await stepDown(true);
            await leadership.close();
          } else await stepDown(closeOptions.stopInstances);
          await unwind();
          await new Promise<void>(
            (resolve) => (logger as { flush?: (cb: () => void) => void }).flush?.(() => resolve()) ?? resolve(),
          );
        })();
        return closing;
      },
    };
  } catch (e) {
    await unwind();
    throw e;
  }
}
