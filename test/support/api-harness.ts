import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../../src/api/context.js';
import { createCoordinatorMetrics } from '../../src/api/metrics.js';
import { buildApi } from '../../src/api/server.js';
import { DatabaseBackups } from '../../src/migrations/backups/service.js';
import { generateToken, hashToken } from '../../src/api/auth.js';
import type { Grant } from '../../src/model/grant.js';
import { newId } from '../../src/shared/ids.js';
import { silentLogger } from '../../src/shared/logging.js';
import type { Db } from '../../src/store/db.js';
import { insertToken } from '../../src/store/repos/tokens.js';
import { engineHarness, type Harness } from './engine-harness.js';

/** The real coordinator API on an engine harness (its store, the fake runtime), ready for `inject`. */
export async function testApi(h: Harness, extra: Partial<ApiContext> = {}): Promise<FastifyInstance> {
  const app = await buildApi({
    db: h.db,
    engine: h.engine,
    events: h.events,
    logger: silentLogger,
    metrics: createCoordinatorMetrics(h.db),
    version: '0.0.0-test',
    startedAt: Date.now(),
    shutdown: () => undefined,
    backups: new DatabaseBackups(h.db, h.events),
    ...extra,
  });
  await app.ready();
  return app;
}

/** A new API token named `name` with `grants`, stored (hashed) in `db`; returns the token to send. */
export async function storedToken(
  db: Db,
  name: string,
  grants: Grant[] = [{ role: 'admin', environments: '*' }],
): Promise<string> {
  const token = generateToken();
  await insertToken(db, { id: newId('tok'), name, hash: hashToken(token), grants });
  return token;
}

/** An engine harness, the API on it and an admin token (named root): what most API test files start with. */
export interface AdminApi {
  h: Harness;
  app: FastifyInstance;
  admin: string;
  /** Close the API, then the harness. */
  close(): Promise<void>;
}

export async function adminApi(): Promise<AdminApi> {
  const h = await engineHarness();
  const admin = await storedToken(h.db, 'root');
  const app = await testApi(h);
  return {
    h,
    app,
    admin,
    close: async () => {
      await app.close();
      await h.close();
    },
  };
}
