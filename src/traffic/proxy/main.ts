import { mkdir } from 'node:fs/promises';
import type { EnvironmentRoutes } from '../router.js';
import { silentLogger, type Logger } from '../../shared/logging.js';
import { isLoopbackHost, parseHostPort } from './address.js';
import { startAdminServer, type AdminServer } from './admin-api.js';
import type { DataPlaneOptions } from './data-plane.js';
import { defaultDrainTimeoutMs } from './forward-defaults.js';
import { ProxyError } from './errors.js';
import { ParentPlane } from './parent-plane.js';
import type { Plane } from './plane.js';
import { loadRouteState, saveRouteState } from './route-store.js';
import { autoWorkerCount } from './worker-count.js';

/** What runProxy needs. */
export interface ProxyOptions {
  /** Loopback host:port of the admin API. */
  admin: string;
  /** Holds routes.json (and, for process.ts, admin-token). */
  stateDir: string;
  /** Admin API bearer token. */
  token: string;
  logger?: Logger;
  /** How long close() lets in-flight requests finish (default 30 s). */
  drainTimeoutMs?: number;
  /** Forwarding tunables (timeouts, ejection, retries). */
  forward?: DataPlaneOptions['forward'];
  /** Worker processes serving traffic (default: one per core but one, at least one); 0 serves it in this process. */
  workers?: number;
}

/** A started proxy. */
export interface RunningProxy {
  /** host:port of the admin API. */
  adminAddress: string;
  /** When this proxy started (ms since epoch), as reported by /healthz and /stats. */
  startedAt: number;
  /** Graceful: stop accepting, let in-flight requests finish (up to the drain timeout), close pools. */
  close(): Promise<void>;
}

/**
 * Start the proxy: restore the saved route tables and open their listeners, then the admin
 * API (so a healthy /healthz means traffic flows). Rejects with a ProxyError when the saved
 * state is damaged or an address is in use.
 */
export async function runProxy(options: ProxyOptions): Promise<RunningProxy> {
  const logger = options.logger ?? silentLogger;
  const admin = parseHostPort(options.admin);
  if (!admin)
    throw new ProxyError('invalid_input', `admin address "${options.admin}" is not host:port, e.g. 127.0.0.1:7070`);
  if (!isLoopbackHost(admin.host))
    throw new ProxyError(
      'invalid_input',
      `admin address ${options.admin} is not a loopback address; the admin API only listens on 127.0.0.1, ::1 or ` +
        `localhost`,
    );
  if (!options.token) throw new ProxyError('invalid_input', 'the admin token is empty');
  await mkdir(options.stateDir, { recursive: true, mode: 0o700 });

  const tables = await loadRouteState(options.stateDir);
  const workers = options.workers ?? autoWorkerCount();
  const persist = (envs: EnvironmentRoutes[]) => saveRouteState(options.stateDir, envs);
  let dataPlane: Plane;
  if (workers > 0) {
    const parent = new ParentPlane({ workers, logger, forward: options.forward, persist });
    await parent.start(tables);
    dataPlane = parent;
  } else {
    // Loaded only here: a parent of workers never forwards a request itself (~0.2 s of CPU less per proxy start).
    const { DataPlane } = await import('./data-plane.js');
    const inProcess = new DataPlane({ logger, forward: options.forward, persist });
    await inProcess.restore(tables);
    dataPlane = inProcess;
  }
  const drainTimeoutMs = options.drainTimeoutMs ?? defaultDrainTimeoutMs;
  let adminServer: AdminServer;
  try {
    adminServer = await startAdminServer({ address: admin, token: options.token, dataPlane, logger });
  } catch (e) {
    await dataPlane.close(0);
    throw e;
  }
  logger.info(
    {
      admin: adminServer.address,
      workers: dataPlane.workerPids?.() ?? [],
      environments: tables.map((t) => `${t.environment}@${t.listen}`),
    },
    'proxy started',
  );

  let closing: Promise<void> | undefined;
  return {
    adminAddress: adminServer.address,
    startedAt: dataPlane.startedAt,
    close: () =>
      (closing ??= (async () => {
        logger.info('proxy stopping: letting in-flight requests finish');
        await Promise.all([adminServer.close(), dataPlane.close(drainTimeoutMs)]);
        logger.info('proxy stopped');
      })()),
  };
}
