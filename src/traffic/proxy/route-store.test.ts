import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EnvironmentRoutes } from '../router.js';
import { loadRouteState, routesFileName, saveRouteState } from './route-store.js';

const table: EnvironmentRoutes = {
  environment: 'staging',
  listen: '127.0.0.1:8080',
  routes: [
    {
      service: 'api',
      match: { pathPrefix: '/' },
      releases: [{ release: '1.0', role: 'stable', weight: 1, upstreams: [{ id: 'i1', address: '127.0.0.1:9001' }] }],
      sticky: true,
    },
  ],
};

describe('route store', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'slipway-routes-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reads back what it saved, leaves no temp files and keeps the file private', async () => {
    await saveRouteState(dir, [table]);
    await saveRouteState(dir, [table, { ...table, environment: 'prod', listen: '127.0.0.1:8081' }]);
    expect((await loadRouteState(dir)).map((t) => t.environment)).toEqual(['staging', 'prod']);
    expect(await readdir(dir)).toEqual([routesFileName]);
    expect((await stat(path.join(dir, routesFileName))).mode & 0o777).toBe(0o600);
  });

  it('starts empty when nothing was saved yet', async () => {
    expect(await loadRouteState(dir)).toEqual([]);
  });

  it('refuses a damaged file, naming it', async () => {
    const file = path.join(dir, routesFileName);
    await writeFile(file, '{"version":1,"environments":[{"environ');
    await expect(loadRouteState(dir)).rejects.toThrow(`route state ${file} is not valid JSON`);
    await writeFile(file, '[]');
    await expect(loadRouteState(dir)).rejects.toThrow(/is not a Slipway proxy route file/);
    await writeFile(file, JSON.stringify({ version: 1, environments: [{ ...table, listen: 'x' }] }));
    await expect(loadRouteState(dir)).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining(`${file} at environments[0]: listen`),
    });
  });

  it('reports a state dir it cannot write', async () => {
    await expect(saveRouteState(path.join(dir, 'missing'), [table])).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringContaining('could not save the route state'),
    });
  });
});
