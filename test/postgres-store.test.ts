import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentView } from '../src/cli/follow.js';
import { freshPostgres } from './support/store.js';
import { until } from './support/processes.js';
import { System } from './support/system.js';

/** The coordinator on a real PostgreSQL server (DATABASE_URL) instead of the embedded PGlite. */
let system: System;
let database: Awaited<ReturnType<typeof freshPostgres>>;
beforeAll(async () => {
  database = await freshPostgres({ migrated: false }); // the coordinator migrates it on start
  await database.db.close();
  system = await System.start({ instances: 1, env: { DATABASE_URL: database.url } });
}, 120_000);
afterAll(async () => {
  await system?.close();
  await database?.drop();
}, 120_000);

describe('coordinator on PostgreSQL', () => {
  it('migrates the empty database, deploys, and resumes a deployment after a SIGKILL', async () => {
    expect((await system.deployed('1.0.0')).state).toBe('succeeded');
    const d = await system.deploy('2.0.0', { set: { SLOW_START_MS: '1500' } });
    await until(
      'the candidate to be starting',
      async () => {
        const { deployment } = await system.client.call<{ deployment: DeploymentView }>(
          'GET',
          `/api/v1/deployments/${d.id}`,
        );
        return deployment.step >= 1;
      },
      30_000,
      20,
    );
    await system.killCoordinator();
    await system.startCoordinator();
    const final = await system.finish(d.id);
    expect(final.state).toBe('succeeded');
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ version: string }>('select version from releases order by version');
      expect(rows.map((r) => r.version)).toEqual(['1.0.0', '2.0.0']);
    } finally {
      await client.end();
    }
  }, 180_000);
});
