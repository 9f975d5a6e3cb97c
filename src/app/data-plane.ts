import path from 'node:path';
import type { ProjectConfig } from '../config/model.js';
import { SlipwayError } from '../shared/errors.js';
import { checkHaproxyBinary } from '../traffic/haproxy/binary-check.js';
import { ensureHaproxy, stopHaproxy } from '../traffic/haproxy/detached.js';
import { HaproxyRouter } from '../traffic/haproxy/haproxy-router.js';
import { loadAdminToken } from '../traffic/proxy/admin-token.js';
import { ProxyRouter } from '../traffic/proxy/proxy-router.js';
import { ensureProxy, stopProxy } from '../traffic/proxy/supervisor.js';
import type { Router } from '../traffic/router.js';
import type { dataPaths } from './data-dir.js';
import { proxyCommand } from './proxy-command.js';

/**
 * The data plane the config selects (`proxy.kind`), as the coordinator drives it: the Router the engine, judge,
 * alerts and prober read, and the process behind it, which outlives the coordinator. Both kinds are kept the same
 * way: adopted when already serving, started detached when not, started again by the leader's watchdog when
 * `router.healthy()` says it is gone, stopped only by `slipway down` (or the end of `slipway up`).
 */
export interface DataPlane {
  kind: ProjectConfig['proxy']['kind'];
  /** What the status screen calls it. */
  label: string;
  router: Router;
  /** Adopt the running process or start one; resolves once it serves its saved tables. */
  ensure(): Promise<{ pid: number; started: boolean }>;
  /** Stop the process (requests in flight finish first). Idempotent. */
  stop(): Promise<void>;
}

/** Build the configured data plane; a HAProxy binary that cannot serve is one line naming proxy.binary. */
export async function buildDataPlane(config: ProjectConfig, paths: ReturnType<typeof dataPaths>): Promise<DataPlane> {
  if (config.proxy.kind === 'haproxy') return haproxyPlane(config, paths);
  const router = new ProxyRouter({ admin: config.proxy.admin, token: await loadAdminToken(paths.proxyState, {}) });
  const options = {
    admin: config.proxy.admin,
    stateDir: paths.proxyState,
    logFile: paths.proxyLog,
    command: proxyCommand(config.proxy.workers),
  };
  return {
    kind: 'builtin',
    label: 'proxy',
    router,
    ensure: () => ensureProxy(options),
    stop: async () => void (await stopProxy(paths.proxyState)),
  };
}

async function haproxyPlane(config: ProjectConfig, paths: ReturnType<typeof dataPaths>): Promise<DataPlane> {
  const binary = config.proxy.binary;
  const check = await checkHaproxyBinary(binary);
  if (!check.ok)
    throw new SlipwayError(
      'invalid_input',
      `proxy.binary: ${binary} ${check.problem}; install HAProxy 2.6 or later (Debian: apt-get install haproxy) ` +
        `or point proxy.binary${config.configPath ? ` in ${config.configPath}` : ''} at it`,
    );
  const stateDir = haproxyStateDir(paths.dataDir);
  return {
    kind: 'haproxy',
    label: 'haproxy',
    router: new HaproxyRouter({ stateDir, binary }),
    ensure: () => ensureHaproxy({ stateDir, binary }),
    stop: async () => void (await stopHaproxy(stateDir)),
  };
}

/** haproxy.cfg, its maps, state.json, the master CLI socket and haproxy.log. */
export function haproxyStateDir(dataDir: string): string {
  return path.join(dataDir, 'haproxy');
}
