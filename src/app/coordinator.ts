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
import { messageOf, SlipwayError } from '../shared/errors.js';
import { createLogger, type Logger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import { listProjects } from '../store/repos/projects.js';
import { openStore } from '../store/open.js';
import { loadAdminToken } from '../traffic/proxy/admin-token.js';
import { ProxyRouter } from '../traffic/proxy/proxy-router.js';
import { ensureProxy, stopProxy } from '../traffic/proxy/supervisor.js';
import { canListen } from './port-check.js';
import { buildRuntime } from './runtime.js';
import { dataPaths, prepareDataDir } from './data-dir.js';
import { proxyCommand } from './proxy-command.js';
import { signalFactory } from './signals.js';
import { MigrationSequencer } from '../migrations/sequencing/gate.js';
import { slipwayVersion } from './version.js';
import { IncidentFollower } from '../incidents/follower.js';
import { startAlerts } from './alerts.js';
import { ErrorIngest } from '../observe/errors/error-ingest.js';
import { loopbackHost, sentryDsnEnv } from './sentry-env.js';
import { startNotifications } from './notifications.js';
import { AvailabilityProber } from '../kpis/prober.js';
import { DeploymentScheduler } from '../schedule/scheduler.js';
import { generateReleaseNotes } from '../release-notes/generate.js';
import type { StrategyType } from '../config/model.js';

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
  /** POST /api/v1/system/shutdown landed. */
  onShutdownRequest?: (options: { stopInstances: boolean }) => void;
}

export interface RunningCoordinator {
  url: string;
  /** Set on a first start without SLIPWAY_TOKEN: print it once. */
  generatedToken?: string;
  /** Deployments resumed after a restart. */
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
 * The composition root of the control plane: store, token, proxy, runtime, engine, API — the
 * only place that knows the concrete adapters. Everything it starts is stopped by close().
 */
export async function startCoordinator(options: CoordinatorOptions): Promise<RunningCoordinator> {
  const { config } = options;
  prepareDataDir(config.dataDir);
  const paths = dataPaths(config.dataDir);
  const logger = options.logger ?? createLogger({ destination: paths.coordinatorLog, name: 'slipway-coordinator' });
  const cleanup: (() => Promise<unknown>)[] = [];
  let starting = true;
  const unwind = async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  };

  try {
    // Before the store opens (initdb takes seconds on a first start): a taken address is one line at once.
    const listen = options.listen ?? config.coordinator;
    if (listen.port !== 0 && !(await canListen(listen.host, listen.port))) throw addressInUse(listen);
    const db: Db = await openStore({ databaseUrl: options.databaseUrl, dataDir: config.dataDir, logger });
    cleanup.push(() => db.close());
    const { generated } = await ensureAdminToken(db, options.token, options.tokenName);
    const proxy = await ensureProxy({
      admin: config.proxy.admin,
      stateDir: paths.proxyState,
      logFile: paths.proxyLog,
      command: proxyCommand(config.proxy.workers),
    });
    // A proxy this start launched is stopped again if the start fails; one that was already serving is left alone.
    if (proxy.started) cleanup.push(async () => (starting ? stopProxy(paths.proxyState) : undefined));
    const router = new ProxyRouter({ admin: config.proxy.admin, token: await loadAdminToken(paths.proxyState, {}) });

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
      db,
      logger: errorLogger,
      registry: metrics.registry,
      rateLimit: config.errors.rateLimit,
      retention: config.errors.retention,
      forward: errorForwarder(config.errors.forward, secrets, errorLogger, metrics.registry),
    });
    cleanup.push(() => errors.close());
    const events = new EventLog(db, logger.child({ part: 'events' }));
    const traffic = new TrafficController(db, router, logger.child({ part: 'traffic' }));
    const migrations = new MigrationSequencer(db, events, logger.child({ part: 'migrations' }));
    const engine = new Engine(
      {
        db,
        runtime,
        router,
        traffic,
        events,
        clock: systemClock,
        logger: logger.child({ part: 'engine' }),
        migrations,
        preflight: staticPreflight,
      },
      { signals: signalFactory(db, router) },
    );
    cleanup.push(() => engine.close());
    await engine.applyProject(config);
    const { resumed } = await engine.start();
    // Incidents open from the events the engine (and alerts) record; the cursor is in the store.
    const incidents = new IncidentFollower(db, logger.child({ part: 'incidents' }));
    await incidents.start();
    cleanup.push(() => incidents.close());
    const alerts = startAlerts({ db, events, runtime, router, engine, logger: logger.child({ part: 'alerts' }) });
    cleanup.push(() => alerts.close());

    let shuttingDown = false;
    const api: FastifyInstance = await buildApi({
      db,
      engine,
      events,
      logger,
      metrics,
      version: slipwayVersion,
      startedAt: Date.now(),
      shutdown: (o) => options.onShutdownRequest?.(o),
      secrets,
      errors,
      backups: new DatabaseBackups(db, events),
    });
    try {
      await api.listen({ host: listen.host, port: listen.port });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw addressInUse(listen);
      throw new SlipwayError('unavailable', `cannot listen on ${listen.host}:${listen.port}: ${messageOf(e)}`);
    }
    starting = false;
    cleanup.push(() => api.close());
    const boundPort = (api.server.address() as { port?: number } | null)?.port ?? listen.port;
    const notifier = await startNotifications({
      db,
      events,
      secrets,
      logger: logger.child({ part: 'notify' }),
      linkBase: `http://${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${boundPort}`,
      registry: metrics.registry,
    });
    cleanup.push(() => notifier.close());

    // The proxy is its own process: if it dies, start it again (it restores its routes from disk)
    // and re-push every table in case it missed a change.
    let restarting = false;
    const watchdog = setInterval(async () => {
      if (shuttingDown || restarting || (await router.healthy())) return;
      restarting = true;
      try {
        logger.warn('proxy not answering; restarting it');
        await ensureProxy({
          admin: config.proxy.admin,
          stateDir: paths.proxyState,
          logFile: paths.proxyLog,
          command: proxyCommand(config.proxy.workers),
        });
        traffic.invalidate();
        await traffic.reconcileAll(
          (await listProjects(db)).map((p) => p.config),
          true,
        );
        await events.emit({
          project: config.project,
          kind: 'proxy.restarted',
          message: 'the proxy stopped answering and was restarted; routes restored',
          data: {},
        });
      } catch (e) {
        logger.error({ err: messageOf(e) }, 'could not restart the proxy');
      } finally {
        restarting = false;
      }
    }, options.watchdogMs ?? 2000);
    watchdog.unref();

    // Availability measured by Slipway itself: synthetic requests through the proxy (src/kpis/prober.ts).
    const prober = new AvailabilityProber({
      db,
      logger: logger.child({ part: 'prober' }),
      projects: async () => (await listProjects(db)).map((p) => p.config),
      stats: () => router.stats(),
      ...(options.probeIntervalMs ? { intervalMs: options.probeIntervalMs } : {}),
    });
    prober.start();
    cleanup.push(() => prober.stop());
    // Scheduled deployments (slipway deploy --at): started through the engine's ordinary deploy at their time.
    const scheduler = new DeploymentScheduler({
      db,
      logger: logger.child({ part: 'scheduler' }),
      deploy: (r) => engine.deploy({ ...r, strategy: r.strategy as StrategyType | undefined }),
    });
    scheduler.start();
    cleanup.push(() => scheduler.stop());
    // Release notes are written when a deployment starts (src/release-notes/); never in the deployment's way.
    const notesLogger = logger.child({ part: 'release-notes' });
    const unsubscribeNotes = events.subscribe((e) => {
      if (e.kind === 'deployment.started' && e.deploymentId)
        void generateReleaseNotes(db, notesLogger, e.deploymentId).catch((err) =>
          notesLogger.warn({ err: messageOf(err) }, 'release notes failed'),
        );
    });
    cleanup.push(async () => unsubscribeNotes());

    const address = api.server.address();
    const port = typeof address === 'object' && address ? address.port : listen.port;
    coordinatorUrl = `http://${loopbackHost(listen.host)}:${port}`;
    let closing: Promise<void> | undefined;
    return {
      url: `http://${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${port}`,
      generatedToken: generated,
      resumed,
      engine,
      close(closeOptions = {}) {
        closing ??= (async () => {
          shuttingDown = true;
          clearInterval(watchdog);
          // No probe counts instances being stopped as downtime; no schedule starts on the way out.
          await prober.stop();
          await scheduler.stop();
          await api.close().catch(() => undefined);
          if (closeOptions.stopInstances) {
            await engine.close();
            await engine.stopAllInstances();
            await stopProxy(paths.proxyState);
          }
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
