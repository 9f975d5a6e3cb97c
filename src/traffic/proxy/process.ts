import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { exitCodeOf, isSlipwayError, messageOf } from '../../shared/errors.js';
import { createLogger } from '../../shared/logging.js';
import { loadAdminToken } from './admin-token.js';
import { runProxy, type RunningProxy } from './main.js';

/**
 * `slipway proxy` as a process: `--admin host:port --state-dir DIR [--workers N]` (N worker processes, default
 * $SLIPWAY_PROXY_WORKERS or one per core but one; 0 serves in this process); the admin token comes from
 * $SLIPWAY_PROXY_TOKEN or <stateDir>/admin-token, never from argv. SIGTERM/SIGINT close
 * gracefully and exit 0; a start failure prints one line on stderr and exits with the error's
 * code (5 when an address is in use).
 */
export async function runProxyProcess(
  argv: string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  let admin: string;
  let stateDir: string;
  let workers: number | undefined;
  try {
    const { values } = parseArgs({
      args: argv,
      options: { admin: { type: 'string' }, 'state-dir': { type: 'string' }, workers: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    });
    if (!values.admin) throw new Error('--admin host:port is required');
    if (!values['state-dir']) throw new Error('--state-dir DIR is required');
    admin = values.admin;
    stateDir = path.resolve(values['state-dir']);
    workers = parseWorkers(values.workers, env.SLIPWAY_PROXY_WORKERS);
  } catch (e) {
    process.stderr.write(
      `slipway proxy: ${messageOf(e)} (usage: slipway proxy --admin 127.0.0.1:7070 --state-dir DIR [--workers N])\n`,
    );
    process.exit(2);
  }

  const logger = createLogger({ name: 'slipway-proxy' });
  let running: RunningProxy;
  try {
    const token = await loadAdminToken(stateDir, env);
    running = await runProxy({ admin, stateDir, token, logger, workers });
  } catch (e) {
    process.stderr.write(`slipway proxy: ${messageOf(e)}\n`);
    process.exit(isSlipwayError(e) ? exitCodeOf(e.code) : 1);
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second signal means "now": skip the drain.
      process.stderr.write(`slipway proxy: ${signal} again, exiting without waiting\n`);
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'signal received');
    running.close().then(
      () => logger.flush(() => process.exit(0)),
      (e: unknown) => {
        process.stderr.write(`slipway proxy: error while stopping: ${messageOf(e)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** --workers, else $SLIPWAY_PROXY_WORKERS, else undefined (one per core but one): a whole number from 0 to 64. */
function parseWorkers(flag: string | undefined, fromEnv: string | undefined): number | undefined {
  const [text, where] = flag !== undefined ? [flag, '--workers'] : [fromEnv, 'SLIPWAY_PROXY_WORKERS'];
  if (text === undefined || text === '') return undefined;
  if (!/^\d+$/.test(text) || Number(text) > 64)
    throw new Error(`${where} must be a whole number from 0 to 64 (0 serves in one process), got "${text}"`);
  return Number(text);
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) void runProxyProcess();
