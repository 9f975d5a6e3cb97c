/**
 * Wires notifications into a coordinator: the concrete senders, the vault's secrets, the event log, the metrics. The
 * notifier runs in a thread of its own when the store can be opened there (PGlite in its thread, the coordinator's
 * default: notify-thread.ts), else on this thread.
 */
import type { Registry } from 'prom-client';
import type { SecretVault } from '../access/secrets/vault.js';
import type { EventLog } from '../engine/event-log.js';
import { registerNotifyMetrics } from '../notify/metrics.js';
import { messageOf } from '../shared/errors.js';
import type { Logger } from '../shared/logging.js';
import type { Db } from '../store/db.js';
import { startNotifierHere } from './notifier-start.js';
import { NotifyThread, type RunningNotifications, runningHere } from './notify-thread.js';

export { notificationSenders } from './notifier-start.js';
export type { RunningNotifications } from './notify-thread.js';

/** Start the dispatcher and worker of a coordinator; close() stops them (in-flight sends stay pending). */
export async function startNotifications(deps: {
  db: Db;
  events: EventLog;
  secrets: SecretVault;
  logger: Logger;
  linkBase: string;
  registry?: Registry;
  pollMs?: number;
  /**
   * Send from a thread of their own (default): a burst of deliveries then leaves the coordinator's thread, and a
   * deployment's steps, to themselves (bench:notify). false: on the notifier's thread.
   */
  sendThread?: boolean;
  /**
   * Dispatch and deliver from a thread of the notifier's own when the store allows it (default): the garbage of a
   * burst of deliveries then no longer pauses the thread that runs the deployments (bench:notify). false: here.
   */
  thread?: boolean;
}): Promise<RunningNotifications> {
  const counted = deps.registry ? registerNotifyMetrics(deps.registry, deps.db) : undefined;
  const onOutcome = counted?.onOutcome;
  const here = async () =>
    runningHere(
      await startNotifierHere({
        db: deps.db,
        secretsFor: (project, environment) => deps.secrets.environmentFor({ project, environment }),
        emit: (e) => deps.events.emit(e),
        subscribe: (listener) => deps.events.subscribe(listener),
        following: () => deps.events.following(),
        logger: deps.logger,
        linkBase: deps.linkBase,
        ...(onOutcome ? { onOutcome } : {}),
        ...(deps.pollMs ? { pollMs: deps.pollMs } : {}),
        ...(deps.sendThread === false ? { sendThread: false } : {}),
      }),
    );
  const store = deps.thread === false ? undefined : deps.db.forThread?.();
  if (!store) return here();
  try {
    return await NotifyThread.start({
      store,
      events: deps.events,
      secrets: deps.secrets,
      logger: deps.logger,
      linkBase: deps.linkBase,
      ...(deps.pollMs ? { pollMs: deps.pollMs } : {}),
      ...(deps.sendThread === false ? { sendThread: false } : {}),
      ...(onOutcome ? { onOutcome } : {}),
      fallback: here,
    });
  } catch (e) {
    deps.logger.warn(
      { err: messageOf(e) },
      "the notifier's thread did not start; notifying from the coordinator's thread",
    );
    return here();
  }
}
