import type { Registry } from 'prom-client';
import type { SecretVault } from '../access/secrets/vault.js';
import type { ProjectConfig, StrategyType } from '../config/model.js';
import type { Engine } from '../engine/engine.js';
import type { EventLog } from '../engine/event-log.js';
import type { TrafficController } from '../engine/traffic-controller.js';
import { IncidentFollower } from '../incidents/follower.js';
import { AvailabilityProber } from '../kpis/prober.js';
import { SentryReleaseFollower } from '../observe/errors/sentry-release-follower.js';
import { generateReleaseNotes } from '../release-notes/generate.js';
import type { Runtime } from '../runtimes/runtime.js';
import { DeploymentScheduler } from '../schedule/scheduler.js';
import { messageOf } from '../shared/errors.js';
import type { Logger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import { listProjects } from '../store/repos/projects.js';
import { startAlerts } from './alerts.js';
import type { DataPlane } from './data-plane.js';
import { startNotifications } from './notifications.js';

export interface LeaderDeps {
  config: ProjectConfig;
  db: Db;
  engine: Engine;
  runtime: Runtime;
  /** The built-in proxy or HAProxy (src/app/data-plane.ts): its Router and its process. */
  dataPlane: DataPlane;
  traffic: TrafficController;
  events: EventLog;
  secrets: SecretVault;
  logger: Logger;
  linkBase: string;
  /** Given on the first term only: metrics register once per process. */
  registry?: Registry;
  watchdogMs?: number;
  probeIntervalMs?: number;
}

export interface LeaderParts {
  /** Deployments the engine resumed when this term began. */
  resumed: string[];
  /** Stop the loops (instances and the proxy keep running); with stopInstances, those too. */
  close(options?: { stopInstances?: boolean }): Promise<void>;
}

/**
 * What only one coordinator may run at a time: the proxy (adopted when it is serving, started when not), the
 * engine with its recovery, and the single-writer loops — incidents, Sentry releases, alerts, notifications, the
 * proxy watchdog, availability probes, scheduled deployments, release notes. A new leader starts them exactly as a
 * restarted coordinator does, so taking over is the restart path that already loses nothing.
 */
export async function startLeaderParts(d: LeaderDeps): Promise<LeaderParts> {
  const { config, db, engine, dataPlane, traffic, events, logger } = d;
  const { router } = dataPlane;
  const stops: (() => Promise<unknown>)[] = [];
  let stopping = false;
  const stopAll = async () => {
    stopping = true;
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  let proxyStarted = false;
  try {
    proxyStarted = (await dataPlane.ensure()).started;
    stops.push(() => engine.close());
    await engine.applyProject(config);
    const { resumed } = await engine.start();
    // Incidents open from the events the engine (and alerts) record; the cursor is in the store.
    // Woken by the events this process hands over (none idle), not by a poll twice a second.
    const incidents = new IncidentFollower(db, logger.child({ part: 'incidents' }), {
      subscribe: (listener) => events.subscribe(listener),
    });
    await incidents.start();
    stops.push(() => incidents.close());
    // Releases and deploys in the team's own Sentry (errors.forward.releases): from the events, with a cursor.
    const sentryReleases = new SentryReleaseFollower({
      db,
      logger: logger.child({ part: 'sentry-releases' }),
      secretsFor: (project, environment) => d.secrets.environmentFor({ project, environment }),
      emit: (e) => events.emit(e),
      subscribe: (listener) => events.subscribe(listener),
      ...(d.registry ? { registry: d.registry } : {}),
    });
    await sentryReleases.start();
    stops.push(() => sentryReleases.close());
    const alerts = startAlerts({
      db,
      events,
      runtime: d.runtime,
      router,
      engine,
      logger: logger.child({ part: 'alerts' }),
    });
    stops.push(() => alerts.close());
    const notifier = await startNotifications({
      db,
      events,
      secrets: d.secrets,
      logger: logger.child({ part: 'notify' }),
      linkBase: d.linkBase,
      ...(d.registry ? { registry: d.registry } : {}),
    });
    stops.push(() => notifier.close());

    // The data plane is its own process: if it dies, start it again (it restores its routes from disk)
    // and re-push every table in case it missed a change.
    let restarting = false;
    const watchdog = setInterval(async () => {
      if (stopping || restarting || (await router.healthy())) return;
      restarting = true;
      try {
        logger.warn({ kind: dataPlane.kind }, `${dataPlane.label} not answering; restarting it unless it still runs`);
        const { started, pid } = await dataPlane.ensure();
        // Still running, only slow to answer (a busy machine): it keeps its routes, nothing was restarted.
        if (!started) {
          logger.warn({ kind: dataPlane.kind, pid }, `${dataPlane.label} is running (pid ${pid}); not restarted`);
          return;
        }
        traffic.invalidate();
        await traffic.reconcileAll(
          (await listProjects(db)).map((p) => p.config),
          true,
        );
        await events.emit({
          project: config.project,
          kind: 'proxy.restarted',
          message: `the ${dataPlane.label} stopped answering and was restarted; routes restored`,
          data: { kind: dataPlane.kind },
        });
      } catch (e) {
        logger.error({ err: messageOf(e), kind: dataPlane.kind }, `could not restart the ${dataPlane.label}`);
      } finally {
        restarting = false;
      }
    }, d.watchdogMs ?? 2000);
    watchdog.unref();
    stops.push(async () => clearInterval(watchdog));

    // Availability measured by Slipway itself: synthetic requests through the proxy (src/kpis/prober.ts).
    const prober = new AvailabilityProber({
      db,
      logger: logger.child({ part: 'prober' }),
      projects: async () => (await listProjects(db)).map((p) => p.config),
      stats: () => router.stats(),
      ...(d.probeIntervalMs ? { intervalMs: d.probeIntervalMs } : {}),
    });
    prober.start();
    stops.push(() => prober.stop());
    // Scheduled deployments (slipway deploy --at): started through the engine's ordinary deploy at their time.
    const scheduler = new DeploymentScheduler({
      db,
      logger: logger.child({ part: 'scheduler' }),
      deploy: (r) => engine.deploy({ ...r, strategy: r.strategy as StrategyType | undefined }),
      // Timed from the store and woken by new schedules (on any coordinator: the EventLog reads theirs), not polled.
      subscribe: (listener) => events.subscribe(listener),
    });
    scheduler.start();
    stops.push(() => scheduler.stop());
    // Release notes are written when a deployment starts (src/release-notes/); never in the deployment's way.
    const notesLogger = logger.child({ part: 'release-notes' });
    const unsubscribeNotes = events.subscribe((e) => {
      if (e.kind === 'deployment.started' && e.deploymentId)
        void generateReleaseNotes(db, notesLogger, e.deploymentId).catch((err) =>
          notesLogger.warn({ err: messageOf(err) }, 'release notes failed'),
        );
    });
    stops.push(async () => unsubscribeNotes());

    let closing: Promise<void> | undefined;
    return {
      resumed,
      close(options = {}) {
        closing ??= (async () => {
          // No probe counts instances being stopped as downtime; no schedule starts on the way out.
          await stopAll();
          if (options.stopInstances) {
            await engine.stopAllInstances();
            await dataPlane.stop();
          }
        })();
        return closing;
      },
    };
  } catch (e) {
    await stopAll();
    // A proxy this start launched is stopped again if the start fails; one that was already serving is left alone.
    if (proxyStarted) await dataPlane.stop().catch(() => undefined);
    throw e;
  }
}
