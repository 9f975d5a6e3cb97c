import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checkConfig } from './config-check.js';
import { mapPath, renderConfig } from './config-text.js';
import { mapContents, mapNames, mapText } from './maps.js';
import { emptyState, type HaproxyState } from './state.js';

/**
 * The state dir: haproxy.cfg and its map files (what a restarted haproxy serves), state.json (what
 * the adapter knows about them), the master CLI socket, the pid file and haproxy's own log.
 */
export interface StateDir {
  dir: string;
  ringBytes: number;
}

export const configFile = (dir: string) => path.join(dir, 'haproxy.cfg');
export const masterSocket = (dir: string) => path.join(dir, 'master.sock');
export const workerSocket = (dir: string) => path.join(dir, 'worker.sock');
export const pidFile = (dir: string) => path.join(dir, 'haproxy.pid');
export const logFile = (dir: string) => path.join(dir, 'haproxy.log');
const stateFile = (dir: string) => path.join(dir, 'state.json');

/** The saved state, or an empty one for a new state dir. */
export async function readState(dir: string): Promise<HaproxyState> {
  try {
    return JSON.parse(await readFile(stateFile(dir), 'utf8')) as HaproxyState;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw e;
  }
}

/** Write configuration, maps and state.json for `state`, each file replaced atomically (write, then rename). */
export async function writeStateDir(where: StateDir, state: HaproxyState): Promise<void> {
  await writeAll(where.dir, where, state);
  await replace(stateFile(where.dir), `${JSON.stringify(state, null, 1)}\n`);
}

/**
 * Let HAProxy judge the configuration of `state` before anything is replaced: it is written to
 * `next/` (with its own maps) and checked with `haproxy -c`.
 */
export async function checkCandidate(binary: string, where: StateDir, state: HaproxyState): Promise<void> {
  const next = path.join(where.dir, 'next');
  await mkdir(next, { recursive: true, mode: 0o700 });
  await writeAll(next, where, state);
  await checkConfig(binary, configFile(next));
}

async function writeAll(dir: string, where: StateDir, state: HaproxyState): Promise<void> {
  const maps = mapContents(state);
  for (const name of mapNames) await replace(mapPath(dir, name), mapText(maps[name]));
  await replace(configFile(dir), renderConfig(state, { dir, ringBytes: where.ringBytes }));
}

async function replace(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp`;
  await writeFile(tmp, text, { mode: 0o600 });
  await rename(tmp, file);
}
