import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { EnvironmentRoutes } from '../router.js';
import { messageOf } from '../../shared/errors.js';
import { ProxyError } from './errors.js';
import { parseEnvironmentRoutes } from './route-schema.js';

/**
 * The proxy's route state on disk (<stateDir>/routes.json), so it serves the last tables it
 * accepted after a crash or restart, with or without the coordinator.
 */
export const routesFileName = 'routes.json';

interface RoutesFile {
  version: 1;
  savedAt: string;
  environments: EnvironmentRoutes[];
}

/** Write the whole state atomically: temp file, fsync, rename, fsync of the directory. */
export async function saveRouteState(stateDir: string, environments: EnvironmentRoutes[]): Promise<void> {
  const file = path.join(stateDir, routesFileName);
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const content: RoutesFile = { version: 1, savedAt: new Date().toISOString(), environments };
  try {
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(content, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
    const dir = await open(stateDir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch (e) {
    await unlink(temp).catch(() => {});
    throw new ProxyError(
      'unavailable',
      `could not save the route state to ${file}: ${messageOf(e)}`,
      { file },
      { cause: e },
    );
  }
}

/** Read the saved state; none yet → []. A damaged file is an error naming it, never an empty proxy. */
export async function loadRouteState(stateDir: string): Promise<EnvironmentRoutes[]> {
  const file = path.join(stateDir, routesFileName);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new ProxyError(
      'unavailable',
      `could not read the route state ${file}: ${messageOf(e)}`,
      { file },
      { cause: e },
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ProxyError(
      'invalid_input',
      `route state ${file} is not valid JSON (${messageOf(e)}); fix or delete it, then re-apply routes from the ` +
        `coordinator`,
      { file },
    );
  }
  const envs = (data as Partial<RoutesFile> | null)?.environments;
  if ((data as Partial<RoutesFile> | null)?.version !== 1 || !Array.isArray(envs)) {
    throw new ProxyError(
      'invalid_input',
      `route state ${file} is not a Slipway proxy route file (expected {"version":1,"environments":[...]})`,
      { file },
    );
  }
  const seen = new Set<string>();
  return envs.map((env, i) => {
    const table = parseEnvironmentRoutes(env, `${file} at environments[${i}]`);
    if (seen.has(table.environment))
      throw new ProxyError('invalid_input', `route state ${file}: environment "${table.environment}" appears twice`, {
        file,
      });
    seen.add(table.environment);
    return table;
  });
}
