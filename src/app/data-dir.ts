import { accessSync, constants, mkdirSync } from 'node:fs';
import path from 'node:path';
import { SlipwayError } from '../shared/errors.js';

/** Where things live inside the data directory. */
export function dataPaths(dataDir: string) {
  return {
    dataDir,
    logs: path.join(dataDir, 'logs'),
    instanceLogs: path.join(dataDir, 'logs', 'instances'),
    coordinatorLog: path.join(dataDir, 'logs', 'coordinator.log'),
    coordinatorOut: path.join(dataDir, 'logs', 'coordinator.out'),
    proxyLog: path.join(dataDir, 'logs', 'proxy.log'),
    proxyState: path.join(dataDir, 'proxy'),
  };
}

/** Create the data directory (0700) and check it is writable, with one clear line when it is not. */
export function prepareDataDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    mkdirSync(path.join(dataDir, 'logs'), { recursive: true });
    accessSync(dataDir, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SlipwayError(
      'invalid_input',
      code === 'EACCES' || code === 'EPERM'
        ? `cannot write to the data directory ${dataDir} (permission denied); fix its permissions or set dataDir in ` +
            `slipway.yaml`
        : `cannot create the data directory ${dataDir}: ${(e as Error).message}`,
    );
  }
}
